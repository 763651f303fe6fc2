"""How long does "which names must operator O block at T?" take, and how much memory?

For each size N (default 10k, 100k and 1M names) and each backend, this builds a fresh
registry through the real use cases (`arret.store.db.migrate`, `registry.add_operator`,
`registry.register_order`, orders of 10,000 names each), then measures
`registry.policy_for(conn, "op1", now)` in a fresh Python process, three times, and prints
a markdown table with the median and minimum wall time and the child's peak RSS.

    .venv/bin/python bench/policy.py
    .venv/bin/python bench/policy.py --sizes 10000,100000 --backend both
    .venv/bin/python bench/policy.py --backend postgresql --pg-url postgresql://postgres@host

The registry: operators op1..op4; N distinct names `site{i}.example`, in orders that
alternate between "every operator" and "op1 only", so that op1 has all N names in force;
plus one decoy order of 100 other names addressed to op2 only, which op1 must not get.
Every policy is checked to hold exactly the N names before its time is reported.

Without `--pg-url`, PostgreSQL is a throwaway cluster from `tests/support/postgres.py`
(or the server named by ARRET_TEST_PG_URL); each size gets a new database, ANALYZEd after
loading, as autovacuum would do on a live registry. SQLite gets a new file per size and
nothing more (the application never runs ANALYZE on it).

`--breakdown` adds one more child run per size that splits the time into its parts:
the bare SQL (DBAPI cursor, same statement), the rows through SQLAlchemy and
`store.covering_rows`, and `compile_policy` on rows already in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
EFFECTIVE = NOW - timedelta(days=30)
EXPIRES = NOW + timedelta(days=540)
DECIDED = date(2025, 11, 15)
ORDER_SIZE = 10_000
DECOY_NAMES = 100
OPERATORS = ("op1", "op2", "op3", "op4")
OPERATOR = "op1"
RUNS = 3
DEFAULT_SIZES = "10000,100000,1000000"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def mib(kib: float) -> float:
    return kib / 1024


# --- the child: one measurement in a fresh process --------------------------------------


def current_rss_kib() -> int:
    """Resident set size now (not the peak), in KiB."""
    try:
        with open("/proc/self/statm") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_measure(url: str, operator: str, at: datetime, expect: int) -> dict[str, Any]:
    """Time `policy_for` from a closed engine to a compiled policy; RSS before and peak."""
    from arret.services import registry
    from arret.store.db import open_engine

    if url.startswith("postgresql"):
        import psycopg  # noqa: F401  (the driver's import is not the registry's work)

    before = current_rss_kib()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    engine = open_engine(url)
    with engine.connect() as conn:
        policy = registry.policy_for(conn, operator, at)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine.dispose()
    check_policy(policy, expect)
    return {
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_before_kib": peak_before,
        "peak_kib": peak,
        "rules": len(policy.rules),
    }


def check_policy(policy: Any, expect: int) -> None:
    rules = policy.rules
    if len(rules) != expect:
        raise SystemExit(f"wrong policy: {len(rules)} rules, expected {expect}")
    names = {rule.name for rule in rules}
    if len(names) != expect or any(not n.startswith("site") for n in names):
        raise SystemExit("wrong policy: duplicate names, or names of another operator")


class GCClock:
    """Time spent in the cyclic garbage collector, from its own callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._began = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began
            self.collections += 1


def child_breakdown(url: str, operator: str, at: datetime, expect: int) -> dict[str, Any]:
    """Where `policy_for`'s time goes: each part run on its own, on a warm connection, with
    the garbage collector's share of each."""
    import gc

    from sqlalchemy import event

    from arret.domain.policy import compile_policy
    from arret.services import registry
    from arret.store import registry as store
    from arret.store.db import open_engine

    gc_clock = GCClock()
    gc.callbacks.append(gc_clock)
    parts: list[tuple[str, float, float]] = []

    @contextmanager
    def timed(label: str) -> Iterator[None]:
        gc_before = gc_clock.seconds
        began = time.perf_counter()
        yield
        parts.append((label, time.perf_counter() - began, gc_clock.seconds - gc_before))

    engine = open_engine(url)
    with timed("connect (engine, first connection, dialect setup)"):
        conn = engine.connect()
    with timed("store.get_operator"):
        store.get_operator(conn, operator)
    with timed("current_allowed (allow-list)"):
        allowed = registry.current_allowed(conn, at)

    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    with timed("A. covering_rows -> list: SQL + DBAPI + SQLAlchemy rows + enum mapping"):
        rows = list(store.covering_rows(conn, operator, at))
    event.remove(engine, "before_cursor_execute", capture)
    statement, params = captured[-1]
    del rows
    dbapi: Any = conn.connection.dbapi_connection

    def bare(label: str, sql: str, batches: bool, server_side: bool = False) -> None:
        with timed(label):
            cursor = dbapi.cursor(name="bench") if server_side else dbapi.cursor()
            cursor.execute(sql, params)
            if batches:
                while cursor.fetchmany(20_000):
                    pass
            else:
                cursor.fetchall()
            cursor.close()

    bare("   A1. SQL engine only: SELECT count(*) FROM (statement)", _counted(statement), False)
    bare("   A2. statement via bare DBAPI cursor, fetchall", statement, False)
    bare("   A3. statement via bare DBAPI cursor, fetchmany(20000)", statement, True)
    if engine.dialect.name == "postgresql":
        # What yield_per does there: a server-side (named) cursor, fetched in batches.
        bare("   A4. statement via server-side cursor, fetchmany(20000)", statement, True, True)
    with timed("A'. covering_rows -> list, again"):
        rows = list(store.covering_rows(conn, operator, at))
    with timed("B. compile_policy on rows already in memory"):
        policy = compile_policy(operator, at, rows, allowed)
    check_policy(policy, expect)
    del policy, rows
    with timed("C. policy_for, whole (warm connection)"):
        policy = registry.policy_for(conn, operator, at)
    check_policy(policy, expect)
    del policy
    gc.collect()
    gc.disable()
    with timed("D. policy_for, whole, garbage collector disabled"):
        policy = registry.policy_for(conn, operator, at)
    gc.enable()
    check_policy(policy, expect)
    conn.close()
    engine.dispose()
    return {"parts": parts, "statement": statement}


def _counted(statement: str) -> str:
    return f"SELECT count(*) FROM ({statement}) AS counted"


# --- building a registry -----------------------------------------------------------------


def site_names(count: int) -> list[str]:
    return [f"site{i}.example" for i in range(count)]


def build_registry(url: str, size: int) -> float:
    """Migrate a fresh database and register `size` names; returns the registration time."""
    sys.path.insert(0, str(TESTS))
    from support.signed import open_engine

    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec
    from arret.services import registry
    from arret.store.db import migrate

    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, NOW - timedelta(days=60), "bench")
    names = site_names(size)
    drafts = []
    for number, start in enumerate(range(0, size, ORDER_SIZE)):
        everyone = number % 2 == 0
        drafts.append(
            OrderDraft(
                reference=f"RG 25/{number:05d}",
                authority="Tribunal judiciaire de Paris",
                decided_on=DECIDED,
                targets=tuple(TargetSpec(n) for n in names[start : start + ORDER_SIZE]),
                operators=() if everyone else (OPERATOR,),
                all_operators=everyone,
                effective_at=EFFECTIVE,
                expires_at=EXPIRES,
            )
        )
    decoy = OrderDraft(
        reference="RG 25/decoy",
        authority="Tribunal judiciaire de Paris",
        decided_on=DECIDED,
        targets=tuple(TargetSpec(f"decoy{i}.example") for i in range(DECOY_NAMES)),
        operators=("op2",),
        effective_at=EFFECTIVE,
        expires_at=EXPIRES,
    )
    del names
    began = time.perf_counter()
    for number, draft in enumerate(drafts, start=1):
        # One transaction per order, as `arret order register` does.
        with engine.begin() as conn:
            registry.register_order(conn, draft, NOW, "bench")
        if number % 10 == 0:
            log(f"    {number * ORDER_SIZE:,} names registered")
    seconds = time.perf_counter() - began
    with engine.begin() as conn:
        registry.register_order(conn, decoy, NOW, "bench")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()
    return seconds


# --- databases -----------------------------------------------------------------------------


class Backend:
    name = ""
    version = ""

    def new_database(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SQLiteBackend(Backend):
    name = "sqlite"

    def __init__(self) -> None:
        self.version = sqlite3.sqlite_version
        self._dir = tempfile.TemporaryDirectory(prefix="arret-bench-")
        self._count = 0

    def new_database(self) -> str:
        self._count += 1
        return f"sqlite:///{Path(self._dir.name) / f'bench{self._count}.db'}"

    def close(self) -> None:
        self._dir.cleanup()


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, pg_url: str | None) -> None:
        sys.path.insert(0, str(TESTS))
        from support.postgres import ExternalServer, start_server

        self._server = ExternalServer(pg_url) if pg_url else start_server()
        with self._server.connect_admin() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        self.version = str(row[0]) if row else "?"

    def new_database(self) -> str:
        return self._server.create_database()

    def close(self) -> None:
        self._server.stop()


# --- the parent: build, measure, report ------------------------------------------------------


@dataclass
class Result:
    backend: str
    names: int
    register_seconds: float
    runs: list[dict[str, Any]]
    breakdown: dict[str, Any] | None = None


def run_child(mode: str, url: str, size: int) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--child={mode}",
        "--url",
        url,
        "--at",
        NOW.isoformat(),
        "--expect",
        str(size),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the measuring process failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_one(backend: Backend, size: int, breakdown: bool) -> Result:
    url = backend.new_database()
    log(f"{backend.name}, {size:,} names: registering")
    register_seconds = build_registry(url, size)
    log(f"  registered in {register_seconds:.1f} s ({size / register_seconds:,.0f} names/s)")
    runs = []
    for run in range(1, RUNS + 1):
        measured = run_child("measure", url, size)
        log(
            f"  policy run {run}: {measured['seconds']:.2f} s, "
            f"peak RSS {mib(measured['peak_kib']):.0f} MiB"
        )
        runs.append(measured)
    parts = run_child("breakdown", url, size) if breakdown else None
    return Result(backend.name, size, register_seconds, runs, parts)


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import psycopg
    import sqlalchemy

    return [
        f"- machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores ({usable} usable), "
        f"{memory:.1f} GiB RAM, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLAlchemy {sqlalchemy.__version__}, psycopg {psycopg.__version__}",
        f"- SQLite {sqlite3.sqlite_version}",
    ]


def table(results: list[Result]) -> list[str]:
    lines = [
        "| backend | names | register (s) | names/s | policy (s) median | min "
        "| peak RSS MiB | RSS increase MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        times = [run["seconds"] for run in r.runs]
        peak = max(run["peak_kib"] for run in r.runs)
        increase = max(run["peak_kib"] - run["rss_before_kib"] for run in r.runs)
        lines.append(
            f"| {r.backend} | {r.names:,} | {r.register_seconds:.1f} "
            f"| {r.names / r.register_seconds:,.0f} | {statistics.median(times):.2f} "
            f"| {min(times):.2f} | {mib(peak):.0f} | {mib(increase):.0f} |"
        )
    return lines


def breakdowns(results: list[Result]) -> list[str]:
    lines: list[str] = []
    for r in results:
        if r.breakdown is None:
            continue
        lines += [
            "",
            f"Breakdown, {r.backend}, {r.names:,} names (one run; seconds, of which in the "
            "garbage collector):",
            "",
        ]
        lines += [
            f"    {seconds:8.3f}  (gc {in_gc:6.3f})  {part}"
            for part, seconds, in_gc in r.breakdown["parts"]
        ]
    return lines


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 10000,100000")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES))
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg-url", help="an existing PostgreSQL server (URL without database)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also split each policy's time into its parts"
    )
    parser.add_argument("--child", choices=["measure", "breakdown"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--at", help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        measure: Callable[..., dict[str, Any]] = (
            child_measure if args.child == "measure" else child_breakdown
        )
        at = datetime.fromisoformat(args.at)
        print(json.dumps(measure(args.url, OPERATOR, at, args.expect)))
        return

    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: list[Result] = []
    info = machine()
    for name in names:
        backend: Backend = SQLiteBackend() if name == "sqlite" else PostgresBackend(args.pg_url)
        if name == "postgresql":
            info.append(f"- PostgreSQL {backend.version}")
        try:
            for size in args.sizes:
                results.append(bench_one(backend, size, args.breakdown))
        finally:
            backend.close()
    print("\n".join(info))
    print(
        f"- policy_for({OPERATOR!r}): engine open + query + compile, in a fresh process, "
        f"{RUNS} runs; peak RSS = ru_maxrss of that process, increase = peak - RSS before"
    )
    print()
    print("\n".join(table(results) + breakdowns(results)))


if __name__ == "__main__":
    main()
