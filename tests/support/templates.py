"""SQLite databases at the current schema for tests that need a fresh one: migrated once
per test process, then copied (migrating runs every revision, 0.3-0.6 s; a copy takes a
millisecond). `tests/integration/test_upgrades.py` still migrates step by step."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from arret.store.db import migrate, open_engine

_migrated: Path | None = None


def migrated_sqlite(path: Path) -> None:
    """A database at the current schema, written at `path` (which must not exist yet)."""
    global _migrated
    if _migrated is None:
        template = Path(tempfile.mkdtemp(prefix="arret-test-schema-")) / "arret.db"
        engine = open_engine(f"sqlite:///{template}")
        migrate(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _migrated = template
    assert not path.exists(), path
    shutil.copyfile(_migrated, path)
