"""What the transparency log costs, measured inside the registration it is part of.

For each size N (default 10k and 100k names; `--sizes ...,1000000` for the million), a
fresh SQLite registry with four operators, then one order of N names addressed to all of
them — public, then (new names) confidential — registered in one transaction each, as
`arret order add` does. The time spent in the log's own functions (building and hashing
the leaves, the salts and commitments of confidential names, the policy digests of the
four feeds, the signed heads) is counted inside that same run, and shown as a share of the
registration: the peer of each log figure is the registration it belongs to. Then
`arret log verify` on the resulting database (every leaf, head, event and feed serial).

Benchmark figures, not timed tests: the machine is shared and noisy.

    .venv/bin/python bench/log.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.signed import open_engine

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.services import log as log_service
from arret.services import registry
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store import registry as store_registry
from arret.store.db import migrate
from arret.tlog.verify import verify

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
OPERATORS = ("op1", "op2", "op3", "op4")


class Meter:
    """Seconds spent in the wrapped functions (not counting a wrapped call inside another)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.depth = 0

    def wrap(self, module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.seconds += time.perf_counter() - began

        setattr(module, name, timed)


def draft(reference: str, names: list[str], confidential: bool) -> OrderDraft:
    return OrderDraft(
        reference=reference,
        authority="Tribunal judiciaire de Paris",
        decided_on=date(2026, 11, 27),
        targets=tuple(TargetSpec(n) for n in names),
        all_operators=True,
        effective_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=540),
        confidential=confidential,
    )


def measure(size: int, folder: Path, meter: Meter) -> dict[str, float]:
    engine = open_engine(f"sqlite:///{folder / f'log-{size}.db'}")
    migrate(engine)
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, NOW - timedelta(days=60), "bench")
    out: dict[str, float] = {}
    for kind, confidential in (("public", False), ("confidential", True)):
        names = [f"{kind}{i}.example" for i in range(size)]
        meter.seconds = 0.0
        began = time.perf_counter()
        with engine.begin() as conn:
            registry.register_order(conn, draft(kind, names, confidential), NOW, "bench")
        out[f"{kind} register"] = time.perf_counter() - began
        out[f"{kind} log"] = meter.seconds
        print(f"# {size:,} {kind}: {out[f'{kind} register']:.2f} s, "
              f"log {meter.seconds:.2f} s", file=sys.stderr)  # fmt: skip
    with engine.connect() as conn:
        leaf = store_log.leaves(conn, store_log.size(conn) - 9, store_log.size(conn))
        out["leaf MB"] = max(len(x.data) for x in leaf) / 1e6
        out["leaves"] = store_log.size(conn)
        public = store_log.require_key(engine).public_key()
        began = time.perf_counter()
        report = verify(log_service.DatabaseSource(conn, public))
        log_service.registry_problems(conn, report)
        out["verify"] = time.perf_counter() - began
        assert report.ok, report.problems
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    meter = Meter()
    # The log's entry points from the registry and the feed (the digest, the leaf, the
    # salts); `append` covers canonical JSON, hashing, the frontier and the signature.
    for module, name in [
        (store_log, "append"),
        (store_log, "advance_digest"),
        (store_log, "salts"),
        (store_registry, "event_record"),
        (store_feed, "feed_record"),
    ]:
        meter.wrap(module, name)
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-log-"))
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows.append((size, measure(size, folder, meter)))
    print("| names | order | register (s) | of which the log (s) | log share | largest leaf (MB) |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, r in rows:
        for kind in ("public", "confidential"):
            total, logged = r[f"{kind} register"], r[f"{kind} log"]
            print(f"| {size:,} | {kind} | {total:.2f} | {logged:.2f} | {logged / total:.0%} "
                  f"| {r['leaf MB']:.1f} |")  # fmt: skip
    print()
    print("| names | leaves | arret log verify, database (s) |")
    print("|---:|---:|---:|")
    for size, r in rows:
        print(f"| {size:,} | {int(r['leaves'])} | {r['verify']:.2f} |")


if __name__ == "__main__":
    main()
