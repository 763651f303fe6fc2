"""`arret serve` copies SQLite's write-ahead log into the database on its own schedule
(`checkpoint_rounds`), so that no request's commit waits for the copy: with it, commits
no longer checkpoint (the log grows past SQLite's 1,000-page default untouched) until
the round does, and then every frame is in the database."""

from __future__ import annotations

import asyncio
import logging
import struct
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from arret.feed.scheduler import Health
from arret.serving import checkpoint_rounds
from arret.store.db import checkpoint, checkpoint_in_background, open_engine

PAGE = 4096


def wal_state(database: Path) -> tuple[int, int]:
    """(frames in the log, frames copied into the database), read from the shared-memory
    index (https://www.sqlite.org/walformat.html: the header's mxFrame at byte 16, the
    checkpoint information's nBackfill at byte 96; native byte order)."""
    shm = Path(f"{database}-shm").read_bytes()
    order = "<" if sys.byteorder == "little" else ">"
    (frames,) = struct.unpack_from(order + "I", shm, 16)
    (copied,) = struct.unpack_from(order + "I", shm, 96)
    return frames, copied


def fill(engine: Engine, pages: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (x BLOB)"))
    for _ in range(pages // 100):
        with engine.begin() as conn:  # many commits: each would check the log's size
            conn.execute(text("INSERT INTO scratch VALUES (:x)"), [{"x": b"\1" * PAGE}] * 100)


def test_commits_leave_the_copy_to_the_rounds(tmp_path: Path) -> None:
    database = tmp_path / "arret.db"
    engine = open_engine(f"sqlite:///{database}")
    with engine.connect() as conn:  # a pooled connection from before: closed by the switch
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    assert checkpoint_in_background(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    fill(engine, 3000)
    frames, copied = wal_state(database)
    assert frames > 3000 and copied == 0  # no commit copied anything

    async def rounds() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(checkpoint_rounds(engine, stop, every=0.05))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if wal_state(database)[1] == frames:
                break
        stop.set()
        await asyncio.wait_for(task, 5)  # ends when told

    asyncio.run(rounds())
    assert wal_state(database) == (frames, frames)
    # And by hand: nothing is left to copy.
    busy, in_log, done = checkpoint(engine)
    assert busy == 0 and in_log == done
    engine.dispose()


def test_without_the_switch_commits_copy_the_log_themselves(tmp_path: Path) -> None:
    """The reference: SQLite's default, which the CLI keeps (a short process)."""
    database = tmp_path / "arret.db"
    engine = open_engine(f"sqlite:///{database}")
    fill(engine, 3000)
    frames, copied = wal_state(database)
    assert copied > 0 or frames < 3000  # a commit copied, then the log restarted
    engine.dispose()


def test_postgresql_checkpoints_are_its_own(database_url: str) -> None:
    engine = open_engine(database_url)
    assert checkpoint_in_background(engine) == (engine.dialect.name == "sqlite")
    engine.dispose()


def test_a_failing_copy_is_said_once_counted_and_its_end_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A real failure: the database's folder does not exist yet (SQLite cannot open it);
    then it does, and the rounds go on."""
    folder = tmp_path / "later"
    engine = open_engine(f"sqlite:///{folder / 'arret.db'}")
    health = Health()

    async def rounds() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(checkpoint_rounds(engine, stop, every=0.02, health=health))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if health.checkpoint_failures_total >= 3:
                break
        assert health.checkpoint_failing
        folder.mkdir()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if not health.checkpoint_failing:
                break
        stop.set()
        await asyncio.wait_for(task, 5)

    with caplog.at_level(logging.WARNING, logger="arret.db"):
        asyncio.run(rounds())
    said = [r.getMessage() for r in caplog.records if r.name == "arret.db"]
    assert not health.checkpoint_failing and health.checkpoint_failures_total >= 3
    assert len(said) == 2, said  # once when it fails, once when it works again
    assert "failed" in said[0] and "unable to open database file" in said[0]
    assert said[1] == "the write-ahead log is copied into the database again"
    engine.dispose()
