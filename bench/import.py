"""Registering one large order, the way a clerk does it, measured piece by piece.

For each size N (default 10k and 100k names; `--million` adds 1M), each backend (SQLite,
and PostgreSQL on a throwaway cluster from `tests/support/postgres.py`), each path and
each addressing (one operator, or the demo's four):

- CLI: `arret order add --targets-file FILE` in a process of its own, on a fresh registry
  holding the `arret demo` data;
- API: `POST /api/orders` with the N names in its JSON body, to a running `arret serve`
  (with the allocator settings `arret serve` gives itself), timed from the client.

Each run prints its wall time, names per second, the CPU time of the process that did
the work (PostgreSQL's own is not in it), the peak RSS of the process that did the
work (the CLI process, or `arret serve`), and where the time went: the processes run
under this script (`_child`), which wraps the functions of the registration path with
`time.perf_counter` timers (a few calls per registration: no measurable overhead). A
section nested in another is shown under it ("feed publish / feed inserts").

At N = 1,000,000 a second table sets each CLI run against its target (20 s on SQLite,
30 s on PostgreSQL).

Benchmark figures, not timed tests: the machine is shared and noisy.

    .venv/bin/python bench/import.py [--million] [--sizes 10000,100000]
        [--backends sqlite,postgresql] [--paths cli,api] [--operators 1,4]
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

DEMO_OPERATORS = ("sfr", "orange", "free", "bouygues")
TLDS = ("com", "net", "org", "fr", "co.uk", "de", "info", "io")

# --- the child: the arret CLI (or `arret serve`) with timers around the path -------------

# (module, attribute, label). Labels nest by the call stack at run time.
SECTIONS = [
    ("arret.cli.orders", "read_targets_file", "read file"),
    ("arret.api.orders", "draft_of", "request to draft"),
    ("arret.services.registry", "_checked_targets", "check names"),
    ("arret.domain.names", "check_targets", "normalise+PSL"),
    ("arret.domain.lifecycle", "plan_registration", "plan"),
    ("arret.store.registry", "insert_order", "store order"),
    ("arret.store.registry", "insert_rows", "targets insert"),
    ("arret.store.registry", "insert_tuples", "targets insert"),
    ("arret.store.registry", "insert_column", "targets insert"),
    ("arret.store.registry", "record_event", "event row"),
    ("arret.store.registry", "_log_event", "log leaf"),
    ("arret.services.feed", "publish_event", "feed publish"),
    ("arret.services.feed", "zone_entries", "zone"),
    ("arret.services.feed", "compile_policy", "compile"),
    ("arret.services.feed", "entries", "entries"),
    ("arret.services.feed", "diff", "diff"),
    ("arret.store.feed", "advance", "advance"),
    ("arret.tlog.multiset", "add", "sum"),
    ("arret.store.feed", "record_version", "record_version"),
    ("arret.store.log", "advance_digest", "policy digest"),
    ("arret.store.feed", "insert_rows", "feed inserts"),
    ("arret.store.feed", "insert_tuples", "feed inserts"),
    ("arret.store.feed", "insert_column", "feed inserts"),
    ("arret.store.log", "event_leaves", "leaves"),
    ("arret.store.log", "append_event", "append"),
    ("arret.domain.lifecycle", "apply", "order object"),
]


def _install_timers(out: Path) -> None:
    import importlib

    totals: dict[str, float] = {}
    clock = time.process_time if os.environ.get("ARRET_BENCH_CLOCK") == "cpu" else time.perf_counter
    local = threading.local()  # `arret serve` answers in a pool of threads

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            stack = local.__dict__.setdefault("stack", [])
            if not stack and threading.current_thread().name == "policy-sum":
                # The policy's sum, in a thread of its own beside the writes
                # (`store.feed.advance`), overlaps them: shown apart, not in "other".
                stack.append("beside")
            stack.append(label)
            key = " / ".join(stack)
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[key] = totals.get(key, 0.0) + clock() - start
                stack.pop()
                if stack == ["beside"]:
                    stack.pop()
                if not stack:  # `arret serve` may be stopped before its exit handlers
                    dump()

        return wrapper

    for module_name, attr, label in SECTIONS:
        module = importlib.import_module(module_name)
        if hasattr(module, attr):  # the names of other versions of the code too
            setattr(module, attr, timed(label, getattr(module, attr)))
    # The feed's leaf: `store.log.append` as `store.feed` calls it (the event's leaf is
    # timed as "log leaf" above, around the same function).
    log = importlib.import_module("arret.store.log")
    feed_store = importlib.import_module("arret.store.feed")
    append = log.append

    class _FeedLog:
        def __getattr__(self, name: str) -> Any:
            return getattr(log, name)

    feed_log = _FeedLog()
    feed_log.append = timed("feed log leaf", append)  # type: ignore[attr-defined]
    feed_store.log = feed_log  # type: ignore[attr-defined]

    def dump() -> None:
        out.write_text(json.dumps(totals))

    from sqlalchemy.engine.default import DefaultDialect

    DefaultDialect.do_commit = timed("commit", DefaultDialect.do_commit)  # type: ignore[method-assign]

    atexit.register(dump)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def child(out: Path, argv: list[str]) -> None:
    _install_timers(out)
    from arret.cli.main import main

    sys.argv = ["arret", *argv]
    main()


# --- the parent -----------------------------------------------------------------------


def names_file(folder: Path, n: int) -> Path:
    path = folder / f"names-{n}.txt"
    if not path.exists():
        with path.open("w") as f:
            for i in range(n):
                f.write(f"mirror{i}-stream.site{i % 997}.{TLDS[i % len(TLDS)]}\n")
    return path


def run_child(
    argv: list[str], env: dict[str, str], folder: Path, tag: str
) -> tuple[float, float, dict[str, float], str]:
    """Run `arret argv` as a timed child; (seconds, its peak RSS in MiB, sections, stdout)."""
    out = folder / f"{tag}.sections.json"
    command = [sys.executable, __file__, "_child", str(out), *argv]
    stdout, stderr = folder / f"{tag}.out", folder / f"{tag}.err"
    with stdout.open("wb") as o, stderr.open("wb") as e:
        start = time.perf_counter()
        popen = subprocess.Popen(command, env=env, stdout=o, stderr=e)
        _, status, usage = os.wait4(popen.pid, 0)
        seconds = time.perf_counter() - start
        popen.returncode = os.waitstatus_to_exitcode(status)
    if popen.returncode != 0:
        raise SystemExit(f"arret {' '.join(argv[2:5])}… failed:\n{stderr.read_text()[-3000:]}")
    sections = json.loads(out.read_text()) | {"cpu": usage.ru_utime + usage.ru_stime}
    return seconds, usage.ru_maxrss / 1024, sections, stdout.read_text()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (the machine is shared: CPU time
    varies less than wall time when other work competes for the cores)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Backend:
    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder, self.server = kind, folder, None
        self.count = 0
        if kind == "postgresql":
            from support.postgres import start_server

            self.server = start_server()

    def fresh(self, env: dict[str, str]) -> str:
        """A new registry holding the demo data; its URL."""
        self.count += 1
        if self.server is not None:
            url = self.server.create_database()
        else:
            url = f"sqlite:///{self.folder / f'registry-{self.count}.db'}"
        for argv in (["init"], ["demo"]):
            subprocess.run([ARRET, "--db", url, *argv], env=env, check=True, capture_output=True)
        return url

    def drop(self, url: str) -> None:
        """Give the registry's disk space back (a 1M-name registry takes about 1 GB)."""
        if self.server is not None:
            from psycopg import sql

            with self.server.connect_admin() as admin:
                name = url.rpartition("/")[2]
                admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            return
        path = Path(url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


ARRET = str(Path(sys.executable).parent / "arret")


def order_args(operators: int) -> list[str]:
    chosen = DEMO_OPERATORS[:operators]
    return [
        "--reference", "bench-import", "--authority", "bench", "--decided", "2026-01-01",
        "--duration", "90d", *(a for op in chosen for a in ("--operator", op)),
    ]  # fmt: skip


def run_cli(backend: Backend, env: dict[str, str], n: int, operators: int) -> dict[str, Any]:
    url = backend.fresh(env)
    path = names_file(backend.folder, n)
    argv = ["--db", url, "order", "add", "--yes", "--targets-file", str(path),
            *order_args(operators)]  # fmt: skip
    seconds, rss, sections, _ = run_child(argv, env, backend.folder, f"cli-{n}-{operators}")
    backend.drop(url)
    return {"seconds": seconds, "rss": rss, "sections": sections}


def run_api(backend: Backend, env: dict[str, str], n: int, operators: int) -> dict[str, Any]:
    from support.processes import Process, start_on_free_ports

    from arret.cli.serve import returning_allocator

    url = backend.fresh(env)
    created = subprocess.run([ARRET, "--db", url, "token", "create", "--role", "authority"],
                             env=env, check=True, capture_output=True, text=True)  # fmt: skip
    token = created.stdout.split()[-1]
    out = backend.folder / f"api-{n}-{operators}.sections.json"
    # The allocator `arret serve` starts itself with (the child here is not `arret`).
    serve_env = returning_allocator(env)

    def start(p: tuple[int, ...]) -> Process:
        return Process([sys.executable, __file__, "_child", str(out), "--db", url, "serve",
                        "--dns", f"127.0.0.1:{p[0]}", "--http", f"127.0.0.1:{p[1]}"],
                       backend.folder / "serve.log", env=serve_env)  # fmt: skip

    def ready(p: tuple[int, ...]) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{p[1]}/api/orders", timeout=1)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    serve, ports = start_on_free_ports(2, start, ready, 120, "arret serve")
    try:
        lines = names_file(backend.folder, n).read_text().split()
        body = json.dumps({
            "reference": "bench-import", "authority": "bench", "decided_on": "2026-01-01",
            "duration": "90d", "operators": list(DEMO_OPERATORS[:operators]),
            "targets": [{"name": line} for line in lines],
        }).encode()  # fmt: skip
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports[1]}/api/orders?confirm=true",
            body,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        before, cpu = vm_hwm(serve.popen.pid), cpu_seconds(serve.popen.pid)
        start_at = time.perf_counter()
        with urllib.request.urlopen(request, timeout=3600) as answer:
            answer.read()
        seconds = time.perf_counter() - start_at
        rss, cpu = vm_hwm(serve.popen.pid), cpu_seconds(serve.popen.pid) - cpu
    finally:
        serve.stop()
    sections = json.loads(out.read_text()) if out.exists() else {}
    sections["cpu"] = cpu
    backend.drop(url)
    return {"seconds": seconds, "rss": rss, "rss_before": before, "sections": sections}


def breakdown(seconds: float, sections: dict[str, float]) -> str:
    """The sections, nested ones after their parent, and what no section covers (process
    start-up and argument parsing, or the HTTP request and its JSON, and the answer)."""
    shown = [(k, v) for k, v in sections.items() if v >= 0.005 and k != "cpu"]
    rest = seconds - sum(v for k, v in shown if " / " not in k)
    parts = [f"{k} {v:.2f}" for k, v in sorted(shown, key=lambda kv: kv[0])]
    return "; ".join([*parts, f"other {rest:.2f}"])


def table_row(r: dict[str, Any]) -> str:
    n, seconds = r["n"], r["seconds"]
    cells = [f"{n:,}", r["backend"], r["path"], str(r["operators"]), f"{seconds:.1f}",
             f"{n / seconds:,.0f}", f"{r['sections']['cpu']:.1f}", f"{r['rss']:.0f}",
             breakdown(seconds, r["sections"])]  # fmt: skip
    return f"| {' | '.join(cells)} |"


#: The targets: a million names registered by the CLI within these many seconds.
TARGETS = {"sqlite": 20.0, "postgresql": 30.0}


def targets_table(results: list[dict[str, Any]]) -> list[str]:
    """The runs at a million names by the CLI, against their backend's target."""
    lines = ["| target | operators | seconds | names/s | met? |", "|---|---:|---:|---:|---|"]
    for r in results:
        limit = TARGETS.get(r["backend"])
        if r["n"] != 1_000_000 or r["path"] != "cli" or limit is None:
            continue
        met = "met" if r["seconds"] <= limit else f"MISSED ({r['seconds'] / limit:.1f}x)"
        lines.append(f"| 1M names ≤ {limit:.0f} s on {r['backend']} | {r['operators']} "
                     f"| {r['seconds']:.1f} | {r['n'] / r['seconds']:,.0f} | {met} |")  # fmt: skip
    return lines if len(lines) > 2 else []


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="add N = 1,000,000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--paths", default="cli,api")
    parser.add_argument("--operators", default="1,4")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--cpu-sections",
        action="store_true",
        help="time the sections in CPU time of the process (steadier on a busy machine; "
        "misses the database server's own time: for SQLite CLI runs)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-import-"))
    from support.signed import ensure_key

    ensure_key()
    env = dict(os.environ)
    if args.cpu_sections:
        env["ARRET_BENCH_CLOCK"] = "cpu"
    results = []
    print("| N | backend | path | operators | seconds | names/s | CPU s | peak RSS MiB "
          "| breakdown (s) |")  # fmt: skip
    print("|---:|---|---|---:|---:|---:|---:|---:|---|")
    try:
        for backend_kind in args.backends.split(","):
            backend = Backend(backend_kind, folder)
            try:
                for n in sizes:
                    for path in args.paths.split(","):
                        for ops in (int(o) for o in args.operators.split(",")):
                            run = run_cli if path == "cli" else run_api
                            r = run(backend, env, n, ops)
                            r |= {"n": n, "backend": backend_kind, "path": path, "operators": ops}
                            results.append(r)
                            print(table_row(r), flush=True)
            finally:
                backend.stop()
        if table := targets_table(results):
            print()
            print("\n".join(table))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        child(Path(sys.argv[2]), sys.argv[3:])
    else:
        main(sys.argv[1:])
