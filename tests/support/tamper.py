"""What a database administrator can do and the application cannot: drop the triggers
that keep the log's tables append-only (migration 0007), before rewriting them."""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLES = ("log_leaves", "log_heads")


def drop_guards(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP FUNCTION IF EXISTS arret_append_only() CASCADE"))
        return
    for table in TABLES:
        for verb in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only_{verb}"))
