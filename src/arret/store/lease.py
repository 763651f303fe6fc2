"""Which instance publishes: a PostgreSQL session-level advisory lock, held by one
`arret serve` at a time on a connection of its own.

PostgreSQL releases the lock the moment the holding session ends — the process killed,
its connection lost, the server restarted or failed over — so another instance asking
every second takes it over within about a second of PostgreSQL noticing. The lock guards
no data (every write is safe from any instance under the log's row lock): it only decides
which instance does the work that should happen once — time-driven publication, NOTIFY,
probes. SQLite has one process by design and no lock here.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

#: The advisory lock's key: "arrt" in ASCII, an arbitrary constant no other user of the
#: database is expected to take.
KEY = 0x61727274


class PublisherLock:
    """The lock, asked for on a connection kept out of the pool for as long as it is held
    or wanted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None
        self.held = False
        #: One use of the connection at a time (a check that hung, and the next one).
        self._mutex = threading.Lock()

    def hold(self) -> bool:
        """Whether this process holds the lock now: takes it when it is free, and checks,
        while it is held, that the session holding it is alive. Any database error loses
        it (the session is closed, which releases it if PostgreSQL still had it)."""
        with self._mutex:
            return self._hold()

    def _hold(self) -> bool:
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
            self._release()
        return self.held

    def release(self) -> None:
        """Give the lock up (closing its session) — at stop, or after an error."""
        with self._mutex:
            self._release()

    def _release(self) -> None:
        conn, self.conn, self.held = self.conn, None, False
        if conn is not None:
            try:
                conn.invalidate()  # the session ends, and the lock with it
                conn.close()
            except DBAPIError:
                pass
