"""SQLite databases at the current schema for tests that need a fresh one: migrated once
per test process, then copied (migrating runs every revision, 0.3-0.6 s; a copy takes a
millisecond). `tests/integration/test_upgrades.py` still migrates step by step."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import create_engine

from arret.store.db import migrate, open_engine

_migrated: Path | None = None


def snapshot(url: str) -> Path:
    """A copy of the SQLite database at `url` as it is now, whole in one file (its
    write-ahead log copied in first), in a directory of its own."""
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    kept = Path(tempfile.mkdtemp(prefix="arret-test-template-")) / "arret.db"
    shutil.copyfile(url.removeprefix("sqlite:///"), kept)
    return kept


def migrated_sqlite(path: Path) -> None:
    """A database at the current schema, written at `path` (which must not exist yet)."""
    global _migrated
    if _migrated is None:
        folder = Path(tempfile.mkdtemp(prefix="arret-test-schema-"))
        url = f"sqlite:///{folder / 'arret.db'}"
        engine = open_engine(url)
        migrate(engine)
        engine.dispose()
        _migrated = snapshot(url)
    assert not path.exists(), path
    shutil.copyfile(_migrated, path)
