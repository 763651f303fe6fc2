"""What documents cost: attaching one (sniffing, hashing, storing, its event and log leaf,
in one transaction), and checking every one again as `arret log verify` does — on
SQLite, with the content in the database row or in a documents directory.

Each attachment goes through the same service the CLI, the API and the web UI call
(`arret.services.documents.attach`), on a temporary database loaded with the demo and the
session's log key; the check is `arret.services.documents.problems` (what `log verify`
adds to the log's own verification). Sizes are of PDF-like files (a `%PDF-` header and
random bytes, so nothing compresses).

    python bench/documents.py [--sizes 65536 1048576 16777216] [--count 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from arret import keyfile
from arret.domain.instants import FixedClock
from arret.services import demo, documents
from arret.services.database import migrate, open_engine
from arret.services.documents import Storage, Upload


def run(size: int, count: int, directory: bool) -> tuple[float, float, float]:
    """Median seconds per attachment, and seconds to check them all, and the database's
    size in MiB."""
    with tempfile.TemporaryDirectory(prefix="arret-bench-documents-") as work:
        folder = Path(work)
        key = folder / "log.key"
        keyfile.create(key)
        engine = open_engine(f"sqlite:///{folder / 'arret.db'}", 10.0, key)
        migrate(engine)
        clock = FixedClock(datetime(2026, 12, 6, 12, tzinfo=UTC))
        with engine.begin() as conn:
            demo.load(conn, clock.now(), "bench", moving=False)
        storage = Storage(folder / "documents" if directory else None, 32 * 2**20)
        times = []
        for _ in range(count):
            data = b"%PDF-1.7\n" + os.urandom(size - 9)
            upload = Upload(data, "decision", filename="decision.pdf")
            clock.advance(timedelta(seconds=1))
            start = time.perf_counter()
            with engine.begin() as conn:
                documents.attach(conn, 1, upload, clock.now(), "bench", storage)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        with engine.connect() as conn:
            found = documents.problems(conn, storage)
        checked = time.perf_counter() - start
        assert found == [], found
        engine.dispose()
        database = (folder / "arret.db").stat().st_size / 2**20
        return statistics.median(times), checked, database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[65536, 1048576, 16777216])
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    print(f"SQLite, {args.count} documents of each size; median attach time, check of all")
    print("| size | kept in | attach (median) | MB/s | check all | database |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in args.sizes:
        for directory in (False, True):
            each, check, database = run(size, args.count, directory)
            where = "directory" if directory else "row"
            print(
                f"| {size / 2**20:.2f} MiB | {where} | {each * 1000:.1f} ms | "
                f"{size / 2**20 / each:.0f} | {check * 1000:.0f} ms | {database:.1f} MiB |"
            )


if __name__ == "__main__":
    main()
