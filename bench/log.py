"""What the transparency log costs: inside the registration it is part of, in a proof
request at ten million leaves, and in `arret log verify --db` resumed from a checkpoint.

`--part register` (the default part list holds all three):

For each size N (default 10k and 100k names; `--sizes ...,1000000` for the million), a
fresh SQLite registry with four operators, then one order of N names addressed to all of
them — public, then (new names) confidential — registered in one transaction each, as
`arret order add` does. The time spent in the log's own functions (building and hashing
the leaves, the salts and commitments of confidential names, the policy digests of the
four feeds, the signed heads) is counted inside that same run, and shown as a share of the
registration: the peer of each log figure is the registration it belongs to. Then
`arret log verify` on the resulting database (every leaf, head, event and feed serial).

`--part proofs`: a synthetic log of `--leaves` leaves (default 1M and 10M) appended in
bulk through the store's append path (`append_many`, tiles written as they fill; a head
signed every 65,536 leaves and after each batch, not after every leaf), then inclusion
and consistency proof requests to the API app in process (HTTP through Starlette's test
client: routing, the read transaction, JSON), median and worst of `--requests` random
ones; the peer is the same proof computed as before tiles, from every leaf hash.

`--part checkpoint`: a registry with an order of `--names` names (default 1M) to four
operators, `arret log verify --db --checkpoint FILE` from nothing (writes the checkpoint),
then one more order of 10 names (published to the four feeds) and the same command
again, which goes on from the checkpoint — three times (median and worst). Each run is
the real command, in a subprocess.

Benchmark figures, not timed tests: the machine is shared and noisy.

    .venv/bin/python bench/log.py [--part register,proofs,checkpoint] [--sizes 10000,100000]
        [--leaves 1000000,10000000] [--names 1000000]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fastapi.testclient import TestClient
from sqlalchemy import select
from support.signed import open_engine

from arret.domain.instants import FixedClock
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.services import log as log_service
from arret.services import registry
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store.db import migrate
from arret.store.schema import log_leaves
from arret.tlog import merkle, tiles
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


def build_log(engine: Any, leaves: int) -> float:
    """Append `leaves` synthetic leaves in batches; returns the seconds it took."""
    began = time.perf_counter()
    batch = 200_000
    for start in range(0, leaves, batch):
        records = [
            store_log.Record({"type": "bench", "n": n})
            for n in range(start, min(start + batch, leaves))
        ]
        with engine.begin() as conn:
            store_log.append_many(conn, records, NOW, every=65_536)
        print(f"# {start + len(records):,} leaves, {time.perf_counter() - began:.0f} s",
              file=sys.stderr)  # fmt: skip
    return time.perf_counter() - began


def before_tiles_inclusion(conn: Any, index: int, size: int) -> list[bytes]:
    """The proof as it was computed before tiles: every leaf hash up to the size."""
    hashes = [
        bytes.fromhex(h)
        for (h,) in conn.execute(
            select(log_leaves.c.hash).where(log_leaves.c.idx < size).order_by(log_leaves.c.idx)
        )
    ]
    return merkle.inclusion_proof(index, hashes)


def proofs(leaves: int, folder: Path, requests: int) -> dict[str, float]:
    engine = open_engine(f"sqlite:///{folder / f'proofs-{leaves}.db'}")
    migrate(engine)
    out = {"build": build_log(engine, leaves)}
    app = create_app(
        Runtime(engine, FixedClock(NOW), HttpSettings(own_hosts=frozenset({"testserver"})))
    )
    client = TestClient(app, base_url="http://testserver")
    size = client.get("/api/log/head").json()["size"]
    assert size == leaves, size
    rng = random.Random(leaves)
    timings: dict[str, list[float]] = {"head": [], "inclusion": [], "consistency": [], "tile": []}
    for _ in range(requests):
        for kind, url in (
            ("head", "/api/log/head"),
            ("inclusion", f"/api/log/proof/inclusion?index={rng.randrange(size)}"),
            ("consistency", f"/api/log/proof/consistency?first={rng.randrange(1, size)}"),
            ("tile", f"/api/log/{tiles.path(0, rng.randrange(max(1, size >> 8)))}"),
        ):
            began = time.perf_counter()
            r = client.get(url)
            timings[kind].append(time.perf_counter() - began)
            assert r.status_code == 200, r.text
    proof = client.get(f"/api/log/proof/inclusion?index={size // 3}").json()
    for kind, seconds in timings.items():
        out[f"{kind} median"] = statistics.median(seconds)
        out[f"{kind} max"] = max(seconds)
    with engine.connect() as conn:
        began = time.perf_counter()
        old = before_tiles_inclusion(conn, size // 3, size)
        out["before"] = time.perf_counter() - began
    assert [h.hex() for h in old] == proof["audit_path"]
    out["db MB"] = (folder / f"proofs-{leaves}.db").stat().st_size / 1e6
    engine.dispose()
    return out


def arret_verify(url: str, checkpoint: Path) -> float:
    """`arret log verify --db URL --checkpoint FILE` in a subprocess; its seconds."""
    began = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "arret"), "--db", url, "log", "verify", "--checkpoint",
         str(checkpoint)],
        capture_output=True, text=True, env=os.environ | {"PYTHONPATH": "src"}, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    assert done.returncode == 0, done.stdout + done.stderr
    print("# " + done.stdout.strip().replace("\n", "\n# "), file=sys.stderr)
    return seconds


def resumed(names: int, folder: Path) -> dict[str, float]:
    path = folder / f"checkpoint-{names}.db"
    url = f"sqlite:///{path}"
    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, NOW - timedelta(days=60), "bench")
    began = time.perf_counter()
    with engine.begin() as conn:
        big = [f"big{i}.example" for i in range(names)]
        registry.register_order(conn, draft("big", big, False), NOW, "bench")
    out = {"register": time.perf_counter() - began}
    with engine.connect() as conn:
        out["leaves"] = store_log.size(conn)
        found = store_log.leaves(conn, 0, store_log.size(conn), 10**9)
        out["leaf MB"] = max(len(x.data) for x in found) / 1e6
    checkpoint = folder / f"checkpoint-{names}.json"
    out["full"] = arret_verify(url, checkpoint)
    runs = []
    for n in range(3):
        with engine.begin() as conn:
            small = [f"small{n}-{i}.example" for i in range(10)]
            registry.register_order(conn, draft(f"small {n}", small, False), NOW, "bench")
        runs.append(arret_verify(url, checkpoint))
    out["resumed"] = statistics.median(runs)
    out["resumed max"] = max(runs)
    # The command's own cost (process start, imports, the database opened): `--help`.
    began = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "arret"), "log", "verify", "--help"],
                   capture_output=True, check=True)  # fmt: skip
    out["start"] = time.perf_counter() - began
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="register,proofs,checkpoint")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--leaves", default="1000000,10000000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--names", type=int, default=1_000_000)
    args = parser.parse_args()
    parts = args.part.split(",")
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-log-"))
    if "register" in parts:
        register_part(args.sizes, folder)
    if "proofs" in parts:
        rows = [(n, proofs(n, folder, args.requests)) for n in map(int, args.leaves.split(","))]
        print()
        print("| leaves | build (s) | database (MB) | inclusion median / max (ms) | "
              "consistency median / max (ms) | tile median (ms) | head (the request's own cost; "
              "ms) | before tiles: one "
              "inclusion proof (ms) |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, r in rows:
            print(f"| {n:,} | {r['build']:.0f} | {r['db MB']:.0f} | "
                  f"{r['inclusion median'] * 1e3:.1f} / {r['inclusion max'] * 1e3:.1f} | "
                  f"{r['consistency median'] * 1e3:.1f} / {r['consistency max'] * 1e3:.1f} | "
                  f"{r['tile median'] * 1e3:.1f} | {r['head median'] * 1e3:.1f} | "
                  f"{r['before'] * 1e3:,.0f} |")  # fmt: skip
    if "checkpoint" in parts:
        r = resumed(args.names, folder)
        print()
        print("| names in the order | leaves | largest leaf (MB) | register (s) | "
              "arret log verify --db, from nothing (s) | after one more order, from the "
              "checkpoint: median / worst of 3 (s) | `arret log verify --help` (s) |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {args.names:,} | {int(r['leaves']):,} | {r['leaf MB']:.3f} | "
              f"{r['register']:.1f} | {r['full']:.1f} | {r['resumed']:.2f} / "
              f"{r['resumed max']:.2f} | {r['start']:.2f} |")  # fmt: skip


def register_part(sizes: str, folder: Path) -> None:
    meter = Meter()
    # The log's entry points from the registry and the feed (the digest, the leaf, the
    # salts); `append` covers canonical JSON, hashing, the frontier and the signature.
    for module, name in [
        (store_log, "append"),
        (store_log, "append_many"),
        (store_log, "keyed_digest"),
        (store_log, "salts"),
        (store_log, "split_record"),
        (store_feed, "feed_record"),
    ]:
        meter.wrap(module, name)
    rows = []
    for size in (int(s) for s in sizes.split(",")):
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
