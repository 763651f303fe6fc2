"""Opening the database, and bringing its schema to the current migration.

The default database is the SQLite file `arret.db` in the current folder; `--db URL` or
`ARRET_DB` choose another (PostgreSQL in production: `postgresql+psycopg://…`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from arret.errors import (
    DatabaseBusy,
    DatabaseFull,
    DatabaseNotReady,
    DatabaseUnavailable,
    DatabaseUnreachable,
    NotFound,
)
from arret.progress import Progress, silent
from arret.store import schema

DEFAULT_URL = "sqlite:///arret.db"
#: The newest migration. Every command checks the database against it without importing
#: Alembic (a fifth of a second at each start); a test keeps it equal to Alembic's head.
SCHEMA_HEAD = "0010j"
MIGRATIONS = Path(__file__).parent / "migrations"
#: How long a write waits for another writer's lock before it gives up with
#: `DatabaseBusy` (SQLite's busy timeout, PostgreSQL's lock_timeout), in seconds.
LOCK_WAIT = 10.0
#: SQLAlchemy's default pool: 5 connections kept, 10 more at most. Tried with 40 (as many
#: as the HTTP side's threads): 200 concurrent reads of a 5,000-name order took twice as
#: long (each connection reads with a cold cache) for no gain; a request that waits 30 s
#: for a connection is answered 503 (`classify`), not 500.
POOL: dict[str, Any] = {"pool_size": 5, "max_overflow": 10}

#: libpq's TCP settings for each connection to PostgreSQL, so that a link that dies
#: without a word (a cable, a firewall that forgets the flow, a frozen machine) fails
#: within about 10-15 s instead of the kernel's defaults: two hours of silence before the
#: first keepalive probe, and some fifteen minutes of retransmissions for a request sent
#: into the void. An idle connection whose peer is gone fails after 5 s + 3 probes 2 s
#: apart; data sent and unacknowledged for 10 s fails it too (`tcp_user_timeout`:
#: keepalives are not sent while data is in flight); a host that does not answer a
#: connection is given up after 10 s (per host of a multi-host URL). The publisher's lock
#: (`arret.store.lease`) depends on it: its holder notices the loss, and stops publishing.
#: A setting given in the URL (`?keepalives_idle=30`) is kept.
CLIENT_TCP: dict[str, str] = {
    "keepalives": "1",
    "keepalives_idle": "5",
    "keepalives_interval": "2",
    "keepalives_count": "3",
    "tcp_user_timeout": "10000",  # ms
    "connect_timeout": "10",  # s; libpq reads PGCONNECT_TIMEOUT when it is not given
}
#: The same on PostgreSQL's side of each connection, set for the session at its start:
#: the server ends the session of a client gone silent after about 11 s — and with it the
#: session's advisory lock (the publisher's, which another instance then takes), its open
#: transaction and its row locks — instead of after hours (the server's defaults are the
#: kernel's). These are per-session settings any user may change; postgresql.conf can
#: set them for every client too (docs/deployment.md). On a Unix socket PostgreSQL
#: ignores them. `-c NAME=VALUE` in the URL's `options` (or PGOPTIONS) overrides them.
SERVER_TCP: dict[str, str] = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "10000",  # ms
}


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("ARRET_DB") or DEFAULT_URL


def open_engine(url: str, lock_wait: float = LOCK_WAIT) -> Engine:
    """An engine for `url`; a bare `postgresql://` URL is given the psycopg 3 driver.

    A write waits at most `lock_wait` seconds for a lock another writer holds, then fails
    with `DatabaseBusy` (see `classify`) instead of waiting forever (PostgreSQL's default)
    or failing at once: the caller decides whether to retry (the feed's scheduler) or to
    tell its user (the CLI, HTTP 503)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseNotReady(
            f"{url!r} is not a database URL; write e.g. sqlite:///arret.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    wait_ms = max(1, int(lock_wait * 1000))
    if parsed.get_backend_name() == "postgresql":
        # pool_pre_ping: after a restart or a failover of the server, a pooled connection
        # that died is replaced instead of failing the next request.
        engine = create_engine(
            parsed, pool_pre_ping=True, connect_args=postgres_connect_args(parsed, wait_ms), **POOL
        )
    else:
        engine = create_engine(parsed, **POOL)
    schema.declare_for(engine.dialect.name)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda c, _r: _sqlite_pragmas(c, wait_ms))
    event.listen(engine, "handle_error", _unstorable_parameter)
    return engine


def postgres_connect_args(url: URL, wait_ms: int) -> dict[str, str]:
    """libpq parameters added to those of `url`: `CLIENT_TCP` where the URL (or, for
    connect_timeout, PGCONNECT_TIMEOUT) does not say, and in `options` the session's
    lock_timeout and `SERVER_TCP`, followed by the URL's own `options` (or PGOPTIONS,
    which libpq would otherwise read): PostgreSQL applies `-c` settings in order, so a
    setting the user gave wins."""
    given = url.query
    args = {key: value for key, value in CLIENT_TCP.items() if key not in given}
    if "PGCONNECT_TIMEOUT" in os.environ:
        args.pop("connect_timeout", None)
    ours = {"lock_timeout": str(wait_ms), **SERVER_TCP}
    theirs = given.get("options", os.environ.get("PGOPTIONS", ""))
    if not isinstance(theirs, str):  # `options` given more than once in the URL
        theirs = " ".join(theirs)
    settings = [f"-c {key}={value}" for key, value in ours.items()]
    args["options"] = " ".join([*settings, theirs] if theirs.strip() else settings)
    return args


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


def _sqlite_pragmas(dbapi_connection: Any, wait_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    # Referential integrity is off by default in SQLite; WAL lets readers (the feed
    # server, later) read while a writer registers an order.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
    cursor.close()


def checkpoint_in_background(engine: Engine) -> bool:
    """On SQLite, stop this engine's commits from copying the write-ahead log into the
    database themselves (`PRAGMA wal_autocheckpoint=0`): the process then calls
    `checkpoint` on its own schedule. False (nothing done) on other databases.

    By default the commit that takes the log past 1,000 pages does the copy, and its
    caller waits: in `arret serve` one API amendment in two or three took 0.1 s longer
    (the copy and its fsync) on a million-name registry, the half of the time between
    the request and a resolver blocking the name (`bench/scale.py`). Pooled connections
    are closed so that every connection from now on has the setting."""
    if engine.dialect.name != "sqlite":
        return False
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA wal_autocheckpoint=0"))
    engine.dispose()
    return True


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """Copy what the write-ahead log holds into the database, as far as no reader still
    needs (`PRAGMA wal_checkpoint(PASSIVE)`: it waits for no lock and blocks nobody).
    Returns SQLite's (busy, frames in the log, frames copied)."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return int(row[0]), int(row[1]), int(row[2])


#: SQLite primary result codes (https://www.sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 10, 13, 14
#: PostgreSQL SQLSTATEs (Appendix A of its manual) that mean "wait and try again".
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}  # lock timeout, serialization, deadlock, cancel


def classify(error: BaseException) -> DatabaseUnavailable | None:
    """The user-facing error for a database failure that is not the request's fault and
    that changed nothing (the transaction was rolled back), or None for any other error.
    The one place that reads drivers' error codes."""
    if isinstance(error, PoolTimeout):
        return DatabaseBusy(
            "the server is busy: every database connection is in use by other requests; "
            "nothing was changed, try again"
        )
    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        text_ = str(orig)
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return DatabaseBusy(
                "the database is busy: another writer has held its lock for longer than "
                "this process waits; nothing was changed, try again"
            )
        if primary == _SQLITE_FULL:
            return DatabaseFull(f"the database's disk is full ({text_}); nothing was changed")
        if primary in (_SQLITE_IOERR, _SQLITE_CANTOPEN):
            return DatabaseUnreachable(f"cannot read or write the database: {text_}")
        return None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_BUSY:
        return DatabaseBusy(
            "the database is busy: another transaction has held a lock for longer than "
            f"this process waits (SQLSTATE {sqlstate}); nothing was changed, try again"
        )
    if sqlstate == "53100":
        return DatabaseFull("the database server's disk is full; nothing was changed")
    if error.connection_invalidated or (
        isinstance(error, OperationalError)
        and (sqlstate is None or sqlstate.startswith("08") or sqlstate.startswith("57P"))
    ):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return DatabaseUnreachable(f"the database cannot be reached: {first}")
    return None


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
        known = classify(exc)
        if isinstance(known, DatabaseBusy | DatabaseFull):
            raise known from None
        raise DatabaseNotReady(f"cannot open the database {engine.url!r}: {exc.orig}") from None


def _is_known(revision: str) -> bool:
    """Whether `revision` is one of this code's migrations (imports Alembic)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return any(known.revision == revision for known in script.walk_revisions())


def _newer(revision: str) -> DatabaseNotReady:
    return DatabaseNotReady(
        f"the database schema is at revision {revision}, newer than this Arrêt knows "
        f"({SCHEMA_HEAD}): it was migrated by a newer version of Arrêt; run that version, "
        "or restore a backup made before the upgrade"
    )


def migrate(engine: Engine, progress: Progress = silent) -> tuple[str | None, str | None]:
    """Create or migrate the schema to the newest revision; returns (before, after).
    `progress` hears of each revision applied.

    A database at a revision this code does not know (a newer Arrêt migrated it) is
    refused before anything is written: no migration goes down by itself."""
    from alembic import command
    from alembic.script import ScriptDirectory

    before = current_revision(engine)
    if before is not None and not _is_known(before):
        raise _newer(before)
    config = _alembic_config()
    steps = list(ScriptDirectory.from_config(config).iterate_revisions("head", before or "base"))
    steps = [s for s in steps if s.revision != before]
    applied = 0

    def step_applied(**_: Any) -> None:  # Alembic's `on_version_apply` (migrations/env.py)
        nonlocal applied
        applied += 1
        progress("migrating the schema", applied, len(steps))

    if steps:
        progress("migrating the schema", 0, len(steps))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes["on_version_apply"] = step_applied
        command.upgrade(config, "head")
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing, older than this code (to
    migrate with `arret init`) or newer (migrated by a newer Arrêt)."""
    current, head = current_revision(engine), SCHEMA_HEAD
    if current is None:
        raise DatabaseNotReady(
            f"the database {engine.url.render_as_string(hide_password=True)} has no Arrêt "
            "schema; create it with: arret init"
        )
    if current != head:
        if not _is_known(current):
            raise _newer(current)
        raise DatabaseNotReady(
            f"the database schema is at revision {current}, this Arrêt needs {head}; "
            "migrate it with: arret init"
        )
