"""Which instance of the feed publishes. Every `arret serve` answers DNS and HTTP from its
own zones in memory, and writes through the shared database; one of them — the publisher
— also does what must happen once: the publication that time brings (an order's start or
end), the NOTIFY of every new serial, and the probe rounds.

On PostgreSQL the publisher is whichever instance holds `store.lease.PublisherLock`; every
other instance asks for it every `CHECK` seconds and follows meanwhile (it loads each new
serial written by the others, polling the database). When the publisher dies or loses its
connection, PostgreSQL ends its session and the lock with it, and the next instance to ask
takes over: it announces every zone's serial at once (NOTIFY), so a change whose NOTIFY
the dead one never sent is not left to the resolvers' refresh timers. An instance whose
check fails (its session ended, or a database that does not answer within
`CHECK_TIMEOUT`) stops publishing at once, and asks again only `lease.HOLDOFF` seconds
after losing the lock, leaving it to the others first. On SQLite (one process by design)
the instance always publishes.

The role also reads, at each check, the newest serial published for each operator, so
that `/metrics` shows how far this instance's zones lag behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from arret.domain.instants import Clock
from arret.rpz.serial import greater
from arret.store import feed as store_feed
from arret.store.lease import PublisherLock

log = logging.getLogger("arret.feed")

#: Seconds between two checks: the lock asked for (or its session checked) and the newest
#: serials read. A takeover follows the publisher's end within about this.
CHECK = 1.0
#: A check that has not returned within this many seconds (a database that does not
#: answer) counts as a lost lock: this instance stops publishing until one succeeds.
CHECK_TIMEOUT = 5.0


@dataclass(frozen=True)
class Newest:
    serial: int
    published_at: datetime


class Role:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.lock = PublisherLock(engine, clock) if engine.dialect.name == "postgresql" else None
        #: Whether this instance publishes now.
        self.publishing = self.lock is None
        #: Since when it publishes, or follows.
        self.since = clock.now()
        #: The newest serial published for each operator (by any instance).
        self.newest: dict[str, Newest] = {}
        #: Called in the event loop when this instance becomes the publisher.
        self.on_publishing: list[Callable[[], None]] = []

    @property
    def shared(self) -> bool:
        """Whether several instances may share the database (and take turns publishing)."""
        return self.lock is not None

    def check(self) -> bool:
        """Ask for the lock (or check it is still held) and read the newest serials.
        Blocking: run it in a thread. Returns whether this instance publishes."""
        held = self.lock.hold() if self.lock is not None else True
        try:
            with self.engine.connect() as conn:
                ids = store_feed.operator_ids(conn)
                names = {i: n for n, i in ids.items()}
                latest = store_feed.latest_of(conn, list(ids.values()))
            self.newest = {names[i]: Newest(v.serial, v.published_at) for i, v in latest.items()}
        except Exception:  # the database is unreachable: the scheduler says so already
            pass
        return held

    def settle(self, publishing: bool) -> None:
        """Record the outcome of a check, in the event loop; says a change of role."""
        if publishing == self.publishing:
            return
        self.publishing = publishing
        self.since = self.clock.now()
        if publishing:
            log.warning("this instance now publishes (it holds the publisher lock)")
            for listener in self.on_publishing:
                listener()
        else:
            log.warning("this instance no longer publishes (the publisher lock is lost); "
                        "following the database")  # fmt: skip

    async def run(self, stop: asyncio.Event) -> None:
        """Check every `CHECK` seconds until `stop`, then give the lock up."""
        pending: asyncio.Future[bool] | None = None
        try:
            while not stop.is_set():
                # One check at a time: one that hangs (a link to the database gone silent,
                # until the TCP keepalives end it) is waited for again, not joined by a
                # new thread each second — they would fill the default executor, which
                # answers DNS queries too.
                if pending is None:
                    pending = asyncio.ensure_future(asyncio.to_thread(self.check))
                try:
                    held = await asyncio.wait_for(asyncio.shield(pending), CHECK_TIMEOUT)
                    pending = None
                except TimeoutError:
                    if self.publishing:
                        log.warning("the publisher lock could not be checked within %g s",
                                    CHECK_TIMEOUT)  # fmt: skip
                    held = False
                self.settle(held)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), CHECK)
        finally:
            if self.lock is not None:
                await asyncio.to_thread(self.lock.release)

    def lag(self, operator: str, serial: int, now: datetime) -> float:
        """Seconds since the newest serial of `operator` was published, while this
        instance serves an older one (`serial`); 0 when it serves the newest."""
        newest = self.newest.get(operator)
        # Read at the last check: a zone refreshed since may already serve a later one.
        if newest is None or not greater(newest.serial, serial):
            return 0.0
        return max(0.0, (now - newest.published_at).total_seconds())
