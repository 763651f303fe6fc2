"""The `arret` command's entry point, importing nothing heavy before it knows the command.

`arret serve` runs with an allocator that gives memory back (`returning_allocator`), which
must be chosen when Python starts: the process starts itself again with it. Done here,
before the command line's machinery is imported, the first process costs about 0.05 s
instead of the 0.4 s of importing Typer, SQLAlchemy and the command (measured in the cold
start of a million-name registry). Only the root options are skipped to find the command;
anything unusual leaves the decision to `arret.cli.serve`, which makes it again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The root options that take a value (`arret --db URL serve`).
_WITH_VALUE = ("--db", "--log-key", "--lock-wait")

#: glibc's per-thread cache of freed blocks, off (see `returning_allocator`).
NO_TCACHE = "glibc.malloc.tcache_count=0"


def returning_allocator(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` for a server that gives the memory of a burst back once it is idle.

    Under CPython's own small-object allocator, a burst of concurrent requests fragments
    its 1 MiB arenas and the server stays at its peak (measured: 96 MiB, then 284 MiB
    after 200 concurrent reads of a 5,000-name order): so the C allocator
    (`PYTHONMALLOC=malloc`), in two glibc arenas, with `arret.http.memory`'s trims when
    idle. And without glibc's per-thread cache (tcache), whose blocks no trim can give
    back (`arret.http.memory` says why and what it was measured to keep). A tunable of the
    user's own in GLIBC_TUNABLES is kept, and the cache is left on if it names one for it.
    A C library other than glibc ignores both variables."""
    env = {**environ, "PYTHONMALLOC": "malloc"}
    env.setdefault("MALLOC_ARENA_MAX", "2")
    tunables = env.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.tcache_count=" not in tunables:
        env["GLIBC_TUNABLES"] = f"{tunables}:{NO_TCACHE}" if tunables else NO_TCACHE
    return env


def serves(args: Sequence[str]) -> bool:
    """Whether the command line `args` (without the program) runs `arret serve`, help
    aside: its first word after the root options is `serve`."""
    if "--help" in args:
        return False
    words = iter(args)
    for word in words:
        if word in _WITH_VALUE:
            next(words, None)
        elif not word.startswith(tuple(f"{option}=" for option in _WITH_VALUE)):
            return word == "serve"
    return False


def restart_with_returning_allocator() -> None:
    """Start this process again (same process id, same arguments) with the allocator of
    `returning_allocator`, unless PYTHONMALLOC chooses one (set it yourself, e.g.
    `PYTHONMALLOC=pymalloc`, to keep another) or this is not the `arret` program."""
    if "PYTHONMALLOC" in os.environ or Path(sys.argv[0]).name != "arret":
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, returning_allocator(os.environ))


def main() -> None:
    if serves(sys.argv[1:]):
        restart_with_returning_allocator()
    from arret.cli.main import main as run

    run()
