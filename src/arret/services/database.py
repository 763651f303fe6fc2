"""The database as the edges (the CLI, the HTTP shell) reach it: opened with the log's
signing key attached, its schema checked or migrated, and a driver's failure turned into
the error a user is shown.

The edges get their engine here, not from `arret.store`: how a connection is made (the
driver, the pool, SQLite's pragmas, the lock timeout) stays the store's business, and what
every engine an edge writes with must carry — the log key, so that a change that cannot be
logged fails — is added in one place instead of once per edge. An edge keeps the engine
for as long as it runs (a command, a server) and opens its own transactions on it; the
services then work in the caller's connection.

Nothing here imports Alembic or a PostgreSQL driver until it is used: the CLI imports this
module at every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from arret.errors import DatabaseUnavailable
from arret.keyfile import KeyFile
from arret.progress import Progress, silent
from arret.services import log_writer
from arret.store import db
from arret.store import log as store_log
from arret.tlog.keys import KeyChain

#: How long a write waits for another writer's lock before it gives up, in seconds.
LOCK_WAIT = db.LOCK_WAIT


def database_url(explicit: str | None = None) -> str:
    """`explicit`, else env ARRET_DB, else the SQLite file `arret.db` here."""
    return db.database_url(explicit)


def open_engine(
    url: str,
    lock_wait: float = LOCK_WAIT,
    log_key: Path | None = None,
    log_next_key: Path | None = None,
) -> Engine:
    """An engine for `url` whose writes wait at most `lock_wait` seconds for a lock, and
    sign what they append to the log with the key in the file `log_key` (read when first
    needed; without one, a write that must be logged is refused) — or with the one in
    `log_next_key` once the log has been handed over to it."""
    engine = db.open_engine(url, lock_wait)
    if log_key is None:
        return engine
    upcoming = None if log_next_key is None else KeyFile(log_next_key)
    return log_writer.attach(engine, KeyFile(log_key), upcoming)


@dataclass(frozen=True)
class EngineSpec:
    """What opens the same database in another process (`arret serve`'s HTTP worker):
    `open_engine`'s arguments."""

    url: str
    lock_wait: float = LOCK_WAIT
    log_key: Path | None = None
    log_next_key: Path | None = None

    def open(self) -> Engine:
        return open_engine(self.url, self.lock_wait, self.log_key, self.log_next_key)


def require_current(engine: Engine) -> None:
    """Refuse a database whose schema is missing or older than this code (DatabaseNotReady,
    saying to run `arret init`)."""
    db.require_current(engine)


def require_log_key(engine: Engine) -> None:
    """Refuse to serve without the log's signing key, or with one others can read: every
    publication is signed into the log."""
    store_log.require_key(engine)


def checkpoint_in_background(engine: Engine) -> bool:
    """On SQLite, leave copying the write-ahead log into the database to `checkpoint`,
    called on the process's own schedule, instead of the commit that crosses 1,000 pages;
    False (nothing done) on other databases."""
    return db.checkpoint_in_background(engine)


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """Copy what SQLite's write-ahead log holds into the database, as far as no reader
    still needs, blocking nobody: SQLite's (busy, frames in the log, frames copied)."""
    return db.checkpoint(engine)


def migrate(engine: Engine, progress: Progress = silent) -> tuple[str | None, str | None]:
    """Create or migrate the schema to this code's; the revisions (before, after).
    `progress` hears of each revision applied."""
    return db.migrate(engine, progress)


def schema(engine: Engine) -> tuple[str | None, str]:
    """The schema revision the database is at (None without one), and the one this code
    needs."""
    return db.current_revision(engine), db.SCHEMA_HEAD


def classify(error: BaseException) -> DatabaseUnavailable | None:
    """The error to show for a database failure that is not the caller's fault and changed
    nothing (busy, full, unreachable), or None for any other error."""
    return db.classify(error)


def log_public_key(engine: Engine) -> bytes:
    """The public key in force for the log: the last one handed over to, else the public
    half of the signing key attached to `engine`; LogKeyError when it has none or the key
    cannot be read (a server refuses to start without it)."""
    return log_keys(engine).current


def log_keys(engine: Engine) -> KeyChain:
    """The log's keys over its life (`arret.tlog.keys`)."""
    from arret.services.log import key_chain  # not at start-up: it imports dnspython

    given = store_log.require_key(engine).public_key()
    with engine.connect() as conn:
        return key_chain(conn, given)
