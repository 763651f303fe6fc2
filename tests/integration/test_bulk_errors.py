"""Bulk inserts on SQLite go through the driver directly (`arret.store.bulk`); their
failures must still read as the database's, not as a traceback: a lock held elsewhere is a
DatabaseBusy (CLI exit 7, HTTP 503) and nothing is written."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from arret.store.bulk import insert_rows
from arret.store.db import classify, migrate, open_engine
from arret.store.schema import allow_list


def test_a_bulk_insert_that_meets_a_held_lock_is_a_busy_database(tmp_path: Path) -> None:
    path = tmp_path / "arret.db"
    engine = open_engine(f"sqlite:///{path}", lock_wait=0.2)
    migrate(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    at = datetime(2026, 12, 2, tzinfo=UTC)
    rows = [{"name": f"n{i}.example", "reason": "r", "added_at": at} for i in range(3)]
    try:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            insert_rows(conn, allow_list, rows)
        assert type(classify(caught.value)).__name__ == "DatabaseBusy"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with engine.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(allow_list)) == 0
        insert_rows(conn, allow_list, rows)  # and it works once the lock is free
    with engine.connect() as conn:
        stored = conn.execute(select(allow_list.c.name, allow_list.c.added_at)).all()
    assert [(n, a) for n, a in stored] == [(r["name"], at) for r in rows]
    engine.dispose()


def test_a_column_inserted_in_bulk_keeps_copy_s_special_characters(engine: Engine) -> None:
    """`insert_column` writes names as one join per chunk (PostgreSQL's COPY text);
    a value holding a character COPY escapes goes in as it is, among plain ones."""
    from arret.store.bulk import insert_column
    from arret.store.schema import name_salts

    values = [f"plain{i}.example" for i in range(25_000)]
    values[12_345:12_345] = ["tab\there", "back\\slash", "line\nbreak", "cr\rhere"]
    with engine.begin() as conn:
        insert_column(conn, name_salts, {"salt": "00"}, "name", values)
    with engine.begin() as conn:
        found = set(conn.scalars(select(name_salts.c.name)))
    assert found == set(values)


def test_a_column_inserted_in_bulk_is_counted_a_batch_at_a_time(engine: Engine) -> None:
    """`insert_column` says how many rows it has written after each batch, the last count
    all of them, and writes them in the order given."""
    from arret.progress import BATCH
    from arret.store.bulk import insert_column
    from arret.store.schema import name_salts

    values = [f"n{i:06}.example" for i in range(2 * BATCH + 5)]
    counts: list[int] = []
    with engine.begin() as conn:
        insert_column(conn, name_salts, {"salt": "00"}, "name", values, counts.append)
    assert counts == [BATCH, 2 * BATCH, 2 * BATCH + 5]
    with engine.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(name_salts)) == len(values)
        assert set(conn.scalars(select(name_salts.c.name))) == set(values)
