"""What every command shares: the database, the clock, the console."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from sqlalchemy import Connection, Engine

from arret.domain.instants import Clock, OffsetClock, SystemClock, parse_offset
from arret.domain.lifecycle import CONFIRM_ABOVE
from arret.errors import ArretError
from arret.keyfile import DEFAULT_KEY
from arret.services.database import LOCK_WAIT, open_engine, require_current

if TYPE_CHECKING:
    from arret.services.documents import Storage


def log_key_path(explicit: str | Path | None = None) -> Path:
    """The transparency log's signing key: `--log-key`, else env ARRET_LOG_KEY, else
    `arret-log.key` in the current folder (beside the default database)."""
    return Path(explicit or os.environ.get("ARRET_LOG_KEY") or DEFAULT_KEY)


def log_next_key_path(explicit: str | Path | None = None) -> Path | None:
    """The key the log may be handed over to (`--log-next-key`, else env
    ARRET_LOG_NEXT_KEY); None: none."""
    found = explicit or os.environ.get("ARRET_LOG_NEXT_KEY")
    return Path(found) if found else None


def documents_dir_of(explicit: str | Path | None = None) -> Path | None:
    """`--documents`, else env ARRET_DOCUMENTS, else None: documents kept in the database."""
    found = explicit or os.environ.get("ARRET_DOCUMENTS")
    return Path(found) if found else None


def lock_wait_of(explicit: float | None = None) -> float:
    """`--lock-wait`, else env ARRET_LOCK_WAIT, else the default."""
    if explicit is not None:
        return explicit
    raw = os.environ.get("ARRET_LOCK_WAIT")
    if not raw:
        return LOCK_WAIT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ArretError(f"ARRET_LOCK_WAIT={raw!r}: give a number of seconds above 0")
    return value


def confirm_above_of(explicit: int | None = None) -> int:
    """`--confirm-above`, else env ARRET_CONFIRM_ABOVE, else the default."""
    if explicit is not None:
        return explicit
    raw = os.environ.get("ARRET_CONFIRM_ABOVE")
    if not raw:
        return CONFIRM_ABOVE
    if not raw.isdigit():
        raise ArretError(f"ARRET_CONFIRM_ABOVE={raw!r}: give a whole number of names")
    return int(raw)


#: For tests and demos only: every command's "now" is the system's clock moved by this
#: offset (`arret serve` then runs minutes or days ahead). Serials are taken from the
#: clock, so a registry in service must never run with it.
CLOCK_OFFSET = "ARRET_CLOCK_OFFSET"


def clock_of() -> Clock:
    """The system clock, moved by env ARRET_CLOCK_OFFSET when it is set (tests, demos);
    a bad value is refused with what to write instead."""
    raw = os.environ.get(CLOCK_OFFSET)
    if not raw:
        return SystemClock()
    try:
        offset = parse_offset(raw)
    except ArretError as error:
        raise ArretError(f"{CLOCK_OFFSET}: {error}") from None
    return OffsetClock(offset)


@dataclass
class Env:
    url: str
    clock: Clock = field(default_factory=clock_of)
    #: Where the log's signing key is (read only by commands that write).
    log_key: Path = field(default_factory=log_key_path)
    #: The key signing passes to after a hand-over (`--log-next-key`), if any.
    log_next_key: Path | None = field(default_factory=log_next_key_path)
    #: Seconds a write waits for another writer's lock (`--lock-wait`).
    lock_wait: float = LOCK_WAIT
    #: Names a change may add and remove before it needs `--yes` (`--confirm-above`).
    confirm_above: int = CONFIRM_ABOVE
    #: Where documents' content is kept (`--documents`); None: in the database.
    documents_dir: Path | None = field(default_factory=documents_dir_of)
    _engine: Engine | None = None

    @property
    def documents(self) -> Storage:
        """Where documents are kept, and how large one may be."""
        from arret.services.documents import Storage

        return Storage(self.documents_dir)

    @property
    def engine(self) -> Engine:
        """The database, with the log key attached: a write it cannot log fails."""
        if self._engine is None:
            self._engine = open_engine(self.url, self.lock_wait, self.log_key, self.log_next_key)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for the whole command: every write of it lands, or none."""
        require_current(self.engine)
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def rehearsal(self) -> Iterator[Connection]:
        """A transaction rolled back at its end (`--dry-run`): the change is made by the
        same code, checked and planned, and nothing of it stays."""
        require_current(self.engine)
        with self.engine.connect() as conn:
            conn.begin()
            try:
                yield conn
            finally:
                conn.rollback()


def env(ctx: typer.Context) -> Env:
    found = ctx.find_object(Env)
    assert found is not None, "the root callback sets the Env"
    return found


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
