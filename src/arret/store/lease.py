"""Which instance publishes: a PostgreSQL session-level advisory lock, held by one
`arret serve` at a time on a connection of its own.

PostgreSQL releases the lock the moment the holding session ends — the process killed,
its connection lost, the server restarted or failed over, the session terminated — so
another instance asking every second takes it over within about a second of PostgreSQL
noticing. For a link that dies silently, both ends notice within about 11 s thanks to the
TCP keepalives every connection is given (`arret.store.db.CLIENT_TCP`, `SERVER_TCP`).

An instance that lost the lock does not ask for it again for `HOLDOFF` seconds: the
others, asking every second meanwhile, take it first — an instance whose link to the
database just failed is the worst one to publish — and, alone, it takes it back after
that delay. The lock guards no data (every write is safe from any instance under the
log's row lock): it only decides which instance does the work that should happen once —
time-driven publication, NOTIFY, probes. For the second or so between PostgreSQL ending a
holder's session and that holder's next check, two instances may both believe they
publish: the cost is a NOTIFY sent twice. SQLite has one process by design and no lock
here.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from arret.domain.instants import Clock

#: The advisory lock's key: "arrt" in ASCII, an arbitrary constant no other user of the
#: database is expected to take.
KEY = 0x61727274
#: Seconds an instance that lost the lock waits before asking for it again: three of the
#: other instances' checks (`arret.feed.role.CHECK`).
HOLDOFF = 3.0


class PublisherLock:
    """The lock, asked for on a connection kept out of the pool for as long as it is held
    or wanted."""

    def __init__(self, engine: Engine, clock: Clock, holdoff: float = HOLDOFF) -> None:
        self.engine = engine
        self.clock = clock
        self.holdoff = holdoff
        self.conn: Connection | None = None
        self.held = False
        #: When this process last lost the lock (None: never, or given up at stop).
        self.lost_at: datetime | None = None
        #: One use of the connection at a time (a check that hung, and the next one).
        self._mutex = threading.Lock()

    def hold(self) -> bool:
        """Whether this process holds the lock now: takes it when it is free (unless it
        lost it less than `holdoff` seconds ago), and checks, while it is held, that the
        session holding it is alive. Any database error loses it (the session is closed,
        which releases it if PostgreSQL still had it)."""
        with self._mutex:
            return self._hold()

    def _hold(self) -> bool:
        lost = self.lost_at
        if not self.held and lost is not None and self._since(lost) < self.holdoff:
            return False
        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            if self.held:
                self.conn.execute(text("SELECT 1"))
            else:
                got = self.conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": KEY})
                self.held = bool(got)
            self.conn.commit()  # no transaction stays open; the lock is the session's
        except DBAPIError:
            if self.held:
                self.lost_at = self.clock.now()  # after the failure, which may have hung
            self._release()
        return self.held

    def _since(self, then: datetime) -> float:
        return (self.clock.now() - then).total_seconds()

    def release(self) -> None:
        """Give the lock up at stop: unlocked explicitly first, so that another instance
        asking right after finds it free (closing a connection ends its server session
        asynchronously: the backend may still hold the lock for a moment), then the
        session is closed."""
        with self._mutex:
            if self.held and self.conn is not None:
                try:
                    self.conn.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": KEY})
                    self.conn.commit()
                except DBAPIError:
                    pass  # the session is broken: closing it below releases the lock
            self._release()

    def _release(self) -> None:
        conn, self.conn, self.held = self.conn, None, False
        if conn is not None:
            try:
                conn.invalidate()  # the session ends, and the lock with it
                conn.close()
            except DBAPIError:
                pass
