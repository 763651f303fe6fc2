"""Opening the database, and bringing its schema to the current migration.

The default database is the SQLite file `arret.db` in the current folder; `--db URL` or
`ARRET_DB` choose another (PostgreSQL in production: `postgresql+psycopg://…`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from arret.errors import DatabaseNotReady, NotFound

DEFAULT_URL = "sqlite:///arret.db"
#: The newest migration. Every command checks the database against it without importing
#: Alembic (a fifth of a second at each start); a test keeps it equal to Alembic's head.
SCHEMA_HEAD = "0009"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("ARRET_DB") or DEFAULT_URL


def open_engine(url: str) -> Engine:
    """An engine for `url`; a bare `postgresql://` URL is given the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseNotReady(
            f"{url!r} is not a database URL; write e.g. sqlite:///arret.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unstorable_parameter)
    return engine


#: Integers every integer column holds (PostgreSQL INTEGER is 32-bit; SQLite's is 64-bit).
_INT32 = range(-(2**31), 2**31)


def _unstorable_parameter(context: Any) -> None:
    """A value no column can hold names nothing stored: a number beyond the database's
    integers, or text with a NUL (PostgreSQL text cannot hold one; entry refuses them,
    `arret.domain.text`). The API bounds its integers before they get here; this is the
    last line for every other path (a name in a URL, the CLI, a future endpoint), where
    SQLite raises OverflowError while binding such a number and PostgreSQL an error of
    its own (22003 above 2³¹ for an INTEGER column; a DataError for a NUL), each of which
    would end as an unexpected error with a traceback."""
    original = context.original_exception
    bound = context.parameters
    rows = bound if isinstance(bound, list) else [bound]
    values = [v for row in rows for v in (row.values() if isinstance(row, dict) else row or ())]
    if isinstance(original, OverflowError) or getattr(original, "sqlstate", None) == "22003":
        huge = [
            v for v in values if isinstance(v, int) and not isinstance(v, bool) and v not in _INT32
        ]
        if huge:
            raise NotFound(
                f"nothing is stored under the number {huge[0]}: it is beyond the "
                "database's integers"
            ) from None
    if "NUL" in str(original) and any(isinstance(v, str) and "\x00" in v for v in values):
        raise NotFound("nothing stored contains a NUL character") from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Referential integrity is off by default in SQLite; WAL lets readers (the feed
    # server, later) read while a writer registers an order.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    head: str | None = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if found is None else str(found)
    except OperationalError as exc:
        raise DatabaseNotReady(f"cannot open the database {engine.url!r}: {exc.orig}") from None


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Create or migrate the schema to the newest revision; returns (before, after)."""
    from alembic import command

    before = current_revision(engine)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than this code."""
    current, head = current_revision(engine), SCHEMA_HEAD
    if current is None:
        raise DatabaseNotReady(
            f"the database {engine.url.render_as_string(hide_password=True)} has no Arrêt "
            "schema; create it with: arret init"
        )
    if current != head:
        raise DatabaseNotReady(
            f"the database schema is at revision {current}, this Arrêt needs {head}; "
            "migrate it with: arret init"
        )
