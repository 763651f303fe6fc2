"""The registry at scale: one order of N names addressed to every one of K operators.

For each N of `--sizes` (default 100k and 1M names) and each K of `--operators` (default
4, 100 and 300), a fresh registry (SQLite, or a throwaway PostgreSQL with `--backend
postgresql`) with K operators, then:

- import: `arret order add --all-operators --targets-file` of the N names (wall time of
  the command);
- cold start: `arret serve` started until one operator's zone answers its SOA, against
  knotd loading that zone from Arrêt's export of it (`arret policy --format rpz`); the
  median of `--starts` fresh starts of each (default 3);
- first AXFR (the first after a start, as a secondary that lost its copy asks it: the
  median over the starts) and
  AXFR (the fastest of 3) of that zone by `kdig`, from `arret serve` and from knotd. Both
  are mostly kdig's own time (1.5-2.3 s of CPU at two million records, varying from one
  transfer to the next on this machine; `arret serve` spends about 0.3 s);
- amend: one name added to the N-name order, by `arret order amend --add` ("amend CLI
  returns", a process start included) and through the HTTP API ("amend API returns"),
  and each until an Unbound pulling that operator's zone with NOTIFY answers NXDOMAIN for
  it ("amend CLI", "amend API"); against knotc zone-begin/zone-set/zone-commit of one
  name ("returns"), until the Unbound pulling from knotd answers NXDOMAIN;
- peak RSS (VmHWM) of `arret serve` and of knotd after all of the above, and the
  database's size.

Both Unbounds are configured from what `arret operator config --resolver unbound` prints
for that operator (its `zonefile:` moved into the run's folder), and nothing else but
loopback plumbing (support/unbound.py) and `num-threads: 2`, as the snippet advises.
Prints a markdown table with the ratio Arrêt/Knot where Knot does the same thing.
Benchmark figures, not timed tests: the machine is shared.

    .venv/bin/python bench/scale.py [--sizes 100000,1000000] [--operators 4,100,300]
                                    [--backend sqlite|postgresql] [--keep DIR]
                                    [--tty] [--import-only] [--starts 3]

`--keep DIR` (SQLite) builds each registry of N names and K operators once, keeps a copy
of it in DIR (with the log key and the import's time) and starts every later run with the
same DIR from a fresh copy of it, so that work on the server can be measured again
without the minutes of a million-name import: the import figure is then the one measured
when it was built.

`--tty` runs the import on a pseudo-terminal, as a clerk at a terminal runs it: its
progress is drawn (piped, as by default, nothing is), so the two runs tell what drawing
costs. `--import-only` stops each run after the import (and the database's size).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import peers  # noqa: E402
from sqlalchemy import text  # noqa: E402
from support.authority import Authority, free_port  # noqa: E402
from support.processes import Process  # noqa: E402
from support.signed import ensure_key, open_engine  # noqa: E402
from support.terminal import CURSOR_SHOWN, run_in_terminal  # noqa: E402
from support.unbound import unbound_conf  # noqa: E402

from arret import keyfile  # noqa: E402
from arret.services import registry  # noqa: E402
from arret.store.db import migrate  # noqa: E402

#: The operator whose zone is transferred, served by Knot and pulled by the Unbounds.
OPERATOR = "op0"
ZONE = f"{OPERATOR}.rpz.arret."
#: Every figure, in the table's order: (name, unit, Knot's peer figure or None).
FIGURES = (
    ("import", "s", None),
    ("database size", "MiB", None),
    ("cold start", "s", "knotd load"),
    ("first AXFR", "s", "knot first AXFR"),
    ("AXFR", "s", "knot AXFR"),
    ("amend CLI returns", "s", "knotc commit"),
    ("amend CLI", "s", "knotc commit until NXDOMAIN"),
    ("amend API returns", "s", "knotc commit"),
    ("amend API", "s", "knotc commit until NXDOMAIN"),
    ("peak RSS", "MiB", "knotd peak RSS"),
)
COLUMNS = ("names", "operators", "figure", "unit", "Arrêt", "Knot DNS", "Knot's figure",
           "Arrêt/Knot")  # fmt: skip


def build(url: str, operators: int, notify_port: int) -> None:
    """The schema and K operators; the first NOTIFYs the Unbound pulling from Arrêt."""
    engine = open_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for i in range(operators):
            registry.add_operator(conn, f"op{i}", now, "bench",
                                  notify=[f"127.0.0.1:{notify_port}"] if i == 0 else [],
                                  allow_from=["127.0.0.0/8"])  # fmt: skip
    engine.dispose()


def database_mib(url: str, folder: Path) -> float:
    if url.startswith("sqlite"):
        return sum(p.stat().st_size for p in folder.glob("arret.db*")) / 2**20
    engine = open_engine(url)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return int(size) / 2**20


def unbound_from_snippet(
    unbound: str, folder: Path, name: str, port: int, authority: int, env: dict[str, str],
    primary: int,
) -> Process:  # fmt: skip
    """An Unbound on `port` configured from `arret operator config --resolver unbound`
    with the feed at 127.0.0.1:`primary`."""
    snippet = subprocess.run(
        [peers.ARRET, "operator", "config", OPERATOR, "--resolver", "unbound", "--server",
         f"127.0.0.1:{primary}"], env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    saved = folder / f"{name}.rpz.zone"
    snippet, moved = re.subn(r'zonefile: "[^"]*"', f'zonefile: "{saved}"', snippet)
    assert moved == 1, snippet
    # Two threads, as any Unbound in service runs (one per core): queries wait while
    # Unbound rewrites the snippet's `zonefile` after a transfer, for 3.3 s at a million
    # names with one thread, up to 1.7 s with two — for Knot's feed as for Arrêt's.
    conf = unbound_conf(folder, name, port, authority, server="    num-threads: 2\n",
                        rest=snippet)  # fmt: skip
    return Process([unbound, "-d", "-c", str(conf)], folder / f"{name}.log")


def settle(folder: Path, timeout: float = 120.0) -> None:
    """Wait until no Unbound is rewriting its saved copy of the zone (`<file>.tmp<pid>`,
    renamed over the file when done) and none has for 2 s. Each does after every transfer:
    an amendment measured while the previous one's copy is still being written waits for
    it (the IXFR cannot be applied meanwhile), which would charge Arrêt for the CLI's
    amendment just before it — Knot's Unbound is idle when its commit is measured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        saved = list(folder.glob("unbound-*.rpz.zone"))
        busy = list(folder.glob("unbound-*.rpz.zone.tmp*"))
        recent = any(time.time() - f.stat().st_mtime < 2 for f in saved if f.exists())
        if not busy and not recent:
            return
        time.sleep(0.2)


def kept_registry(keep: Path | None, n: int, operators: int) -> Path | None:
    """Where the kept registry of N names and K operators is (or goes), when `--keep` is given."""
    return None if keep is None else keep / f"{n}x{operators}"


def first_axfr(kdig: str, port: int) -> float:
    """Seconds of one full transfer of the zone by `kdig` from the server on `port`."""
    return peers.timed_run([kdig, "+noidn", "+tcp", "-p", str(port), "@127.0.0.1", ZONE, "AXFR"])


def measure(
    n: int, operators: int, found: dict[str, str], new_database: Callable[[Path], str],
    keep: Path | None = None, tty: bool = False, import_only: bool = False, starts: int = 3,
) -> dict[str, float]:  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-scale-"))
    authority = Authority()
    processes: list[Process] = []
    knot = peers.Knot(folder, found["knotd"], found["knotc"], ZONE, free_port())
    out: dict[str, float] = {}
    # Generous bounds: today `arret serve` starts in about 15 s per operator of 100k names
    # on a loaded machine, and a million names take minutes.
    slow = 60 + n / 1000
    start_bound = slow + n * operators / 2000
    say = lambda what: print(f"# {n:,} names, {operators} operators: {what}",  # noqa: E731
                             file=sys.stderr, flush=True)  # fmt: skip
    try:
        u_arret, u_knot = free_port(), free_port()
        url = new_database(folder)
        env = {**os.environ, "ARRET_DB": url}
        kept = kept_registry(keep, n, operators)
        if kept is not None and (kept / "import.txt").exists():
            for db in kept.glob("arret.db*"):
                shutil.copy(db, folder / db.name)
            out["import"] = float((kept / "import.txt").read_text())
            peers.timed_run([peers.ARRET, "operator", "edit", OPERATOR, "--notify",
                             f"127.0.0.1:{u_arret}"], env)  # fmt: skip
            say(f"copied the registry kept in {kept}; starting arret serve")
        else:
            build(url, operators, u_arret)
            targets = folder / "targets.txt"
            targets.write_text("".join(f"site{i}.example\n" for i in range(n)))
            say("importing")
            add = [peers.ARRET, "order", "add", "--reference", "B", "--authority", "bench",
                   "--decided", "2026-01-01", "--duration", "90d", "--all-operators",
                   "--yes", "--targets-file"]  # fmt: skip
            # Its CPU time too: on a shared machine the wall time moves with the others' load.
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            if tty:
                start = time.perf_counter()
                code, drawn = run_in_terminal([*add, str(targets)], env)
                out["import"] = time.perf_counter() - start
                assert code == 0 and CURSOR_SHOWN in drawn, drawn[-2000:]
            else:
                out["import"] = peers.timed_run([*add, str(targets)], env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            if kept is not None:
                kept.mkdir(parents=True, exist_ok=True)
                for db in folder.glob("arret.db*"):
                    shutil.copy(db, kept / db.name)
                (kept / "import.txt").write_text(f"{out['import']}\n")
            say(f"imported in {out['import']:.1f} s (CPU {cpu:.2f} s)")
        if import_only:
            out["database size"] = database_mib(url, folder)
            return out
        say("starting arret serve")
        token = peers.authority_token(env)
        colds, firsts = [], []
        for round_ in range(starts):  # each a fresh process: its first transfer, and the load
            start = time.perf_counter()
            serve, p_arret, h_arret = peers.start_serve(folder, env, ZONE, start_bound)
            colds.append(time.perf_counter() - start)
            firsts.append(first_axfr(found["kdig"], p_arret))
            if round_ < starts - 1:
                serve.stop()
        processes.append(serve)
        out["cold start"], out["first AXFR"] = statistics.median(colds), statistics.median(firsts)
        out["AXFR"] = peers.axfr_seconds(found["kdig"], p_arret, ZONE)
        say("knotd")
        zone_file = folder / "op0.zone"
        zone_file.write_text(subprocess.run([peers.ARRET, "policy", "--operator", OPERATOR,
                                             "--format", "rpz"], env=env, capture_output=True,
                                            text=True, check=True).stdout)  # fmt: skip
        colds, firsts = [], []
        for round_ in range(starts):
            colds.append(knot.start(zone_file, u_knot, slow))
            firsts.append(first_axfr(found["kdig"], knot.port))
            if round_ < starts - 1:
                knot.stop()
        out["knotd load"] = statistics.median(colds)
        out["knot first AXFR"] = statistics.median(firsts)
        out["knot AXFR"] = peers.axfr_seconds(found["kdig"], knot.port, ZONE)
        say("Unbounds")
        for name, port, primary in (("unbound-arret", u_arret, p_arret),
                                    ("unbound-knot", u_knot, knot.port)):  # fmt: skip
            processes.append(unbound_from_snippet(found["unbound"], folder, name, port,
                                                  authority.port, env, primary))  # fmt: skip
        for (name, port), unbound in zip((("arret", u_arret), ("knot", u_knot)),
                                         processes[-2:], strict=True):  # fmt: skip
            try:
                peers.until_nxdomain(port, "site0.example", slow,
                                     f"Unbound to load from {name}")  # fmt: skip
            except AssertionError as exc:
                # Say why: an Unbound that exited (its port taken meanwhile), or what it
                # logged about its transfers, and what the feed logged.
                state = unbound.popen.poll()
                raise AssertionError(
                    f"{exc}; Unbound {'exited ' + str(state) if state is not None else 'runs'}"
                    f"; its log ends: {unbound.output()[-1500:]!r}; arret serve's log ends: "
                    f"{serve.output()[-1500:]!r}"
                ) from None
        # A server in service has answered requests before: a dry run warms the code path.
        peers.api_amend(h_arret, token, 1, "warm-up.example", dry_run=True)
        say("amending")
        settle(folder)
        start = time.perf_counter()
        subprocess.run([peers.ARRET, "order", "amend", "1", "--add", "mirror-cli.example"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        out["amend CLI returns"] = time.perf_counter() - start
        peers.until_nxdomain(u_arret, "mirror-cli.example", slow, "the CLI's amendment")
        out["amend CLI"] = time.perf_counter() - start
        settle(folder)
        start = time.perf_counter()
        peers.api_amend(h_arret, token, 1, "mirror-api.example")
        out["amend API returns"] = time.perf_counter() - start
        peers.until_nxdomain(u_arret, "mirror-api.example", slow, "the API's amendment")
        out["amend API"] = time.perf_counter() - start
        settle(folder)
        start = time.perf_counter()
        out["knotc commit"] = knot.commit("mirror-knot.example")
        peers.until_nxdomain(u_knot, "mirror-knot.example", slow, "knotc's commit")
        out["knotc commit until NXDOMAIN"] = time.perf_counter() - start
        assert peers.serial_of(p_arret, ZONE) > 0
        out["peak RSS"] = peers.peak_rss_mib(serve.popen.pid)
        if knot.process is not None:
            out["knotd peak RSS"] = peers.peak_rss_mib(knot.process.popen.pid)
        out["database size"] = database_mib(url, folder)
        return out
    finally:
        for process in processes:
            process.stop()
        knot.stop()
        authority.close()
        shutil.rmtree(folder, ignore_errors=True)


def row(n: int, operators: int, figure: str, unit: str, peer: str | None,
        result: dict[str, float]) -> str:  # fmt: skip
    a = result.get(figure)
    k = result.get(peer) if peer else None
    show = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
    ratio = f"{a / k:.2f}" if a is not None and k else ""
    cells = [f"{n:,}", str(operators), figure, unit, show(a), show(k), peer or "", ratio]
    return "| " + " | ".join(cells) + " |"


def compile_arret() -> None:
    """Compile arret's modules once, as pip does when it installs the package: from an
    editable install under PYTHONDONTWRITEBYTECODE=1, every `arret` process would compile
    its hundred modules again (0.2 s of each `arret order amend`, measured so). The
    bytecode goes where Python looks for it, beside the sources (`__pycache__`, ignored
    by git); PYTHONDONTWRITEBYTECODE only stops a process writing it, not reading it."""
    import arret

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(arret.__file__).parent)],
                   check=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--operators", default="4,100,300")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each registry built in DIR and start from a copy of it "
                        "when it is there (SQLite)")  # fmt: skip
    parser.add_argument("--tty", action="store_true",
                        help="import on a pseudo-terminal: its progress drawn")  # fmt: skip
    parser.add_argument("--import-only", action="store_true",
                        help="stop each run after the import")  # fmt: skip
    parser.add_argument("--starts", type=int, default=3,
                        help="fresh starts of arret serve and of knotd whose cold start and "
                        "first AXFR are measured (the median is printed)")  # fmt: skip
    args = parser.parse_args()
    if args.keep is not None:
        if args.backend != "sqlite":
            parser.error("--keep takes a SQLite registry")
        args.keep.mkdir(parents=True, exist_ok=True)
        # The registry's log key is kept with it: its later writes are signed by the same key.
        os.environ["ARRET_LOG_KEY"] = str(args.keep.resolve() / "log.key")
        keyfile.create(Path(os.environ["ARRET_LOG_KEY"]))
    ensure_key()
    compile_arret()
    found = peers.tools()
    server = None
    if args.backend == "postgresql":
        from support.postgres import start_server

        server = start_server()
        new_database: Callable[[Path], str] = lambda folder: server.create_database()  # noqa: E731
    else:
        new_database = lambda folder: f"sqlite:///{folder / 'arret.db'}"  # noqa: E731
    print(
        f"backend: {args.backend}; import "
        + ("on a terminal, its progress drawn" if args.tty else "piped, no progress drawn")
    )
    print("| " + " | ".join(COLUMNS) + " |")
    print("|---:|---:|---|---|---:|---:|---|---:|")
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            for operators in (int(k) for k in args.operators.split(",")):
                try:
                    result = measure(n, operators, found, new_database, args.keep, args.tty,
                                     args.import_only, args.starts)  # fmt: skip
                except Exception as error:  # a run too big for today: say so, go on
                    print(f"| {n:,} | {operators} | failed: {type(error).__name__}: "
                          f"{str(error)[:200]} |||||||", flush=True)  # fmt: skip
                    continue
                for figure, unit, peer in FIGURES:
                    if figure in result:
                        print(row(n, operators, figure, unit, peer, result), flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
