"""When the feed publishes: at every instant an order or allow-list entry takes or loses
effect, at least every `PUBLISH_EVERY` anyway, and as soon as a change written by another
process (by polling the database every `POLL`) or by this one (`Scheduler.wake`) shows
up; after each pass, the zones (`arret.feed.cache`) load the new serials and the zones
that changed are handed on (`on_change`: the server then notifies their resolvers).

It never ends the process: a publication that fails (the database locked by another
writer, its disk full, its connection lost) is retried with backoff, logged, and shown
in `/metrics` (`Health`); DNS keeps answering from the zones in memory meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from arret.domain.instants import Clock
from arret.feed.cache import DatabaseFeed
from arret.feed.responder import ZoneView
from arret.services import feed as feed_service
from arret.services.database import classify
from arret.services.feed import Published
from arret.store import feed as store_feed
from arret.store import registry as store

log = logging.getLogger("arret.feed")

#: Backoff between failed publications: doubles from the first to the last. Short: an
#: attempt already waits up to the lock wait for a busy database, and a pending instant
#: must be published soon after the database is free again.
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 5.0
#: How often the database is looked at (one cheap query) for changes made by other
#: processes, such as `arret order add`.
POLL = 0.1
#: Time-driven publication runs at each due instant, and at least this often anyway.
PUBLISH_EVERY = timedelta(seconds=5)

#: Zones with a new serial, each with the NOTIFY targets of its operator.
Changed = list[tuple[ZoneView, tuple[str, ...]]]


@dataclass
class Health:
    """How publication is going: read by `/metrics` and the log."""

    #: When the last publication pass (everything due up to then) committed.
    last_success: datetime | None = None
    #: Since when publication has been failing (None: it is not).
    failing_since: datetime | None = None
    #: Failed attempts in a row, and since start.
    failures: int = 0
    failures_total: int = 0
    last_error: str = ""
    #: Instants due and not yet published, counted when an attempt fails.
    pending: int = 0
    #: SQLite's write-ahead log, copied into the database by `arret serve` itself
    #: (`arret.serving.checkpoint_rounds`): whether the last copy failed, and how many did.
    checkpoint_failing: bool = False
    checkpoint_failures_total: int = 0

    def backoff(self) -> float:
        if self.failures == 0:
            return 0.0
        return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(self.failures - 1, 16)))


class Scheduler:
    """The publication passes of one feed server, over its zones `feed`."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        feed: DatabaseFeed,
        on_change: Callable[[Changed], None],
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.feed = feed
        #: Called in the event loop after a pass that gave zones a new serial.
        self.on_change = on_change
        #: Whether this instance publishes (`arret.feed.role`); one that does not only
        #: follows what the others write. None: always.
        self.publishing: Callable[[], bool] = lambda: True
        self.health = Health()
        #: A notice host to record before the next publication (see `adopt_notice_host`),
        #: and what recording it published.
        self.pending_notice_host: str | None = None
        self.adopted: list[Published] = []
        self._next_due: datetime | None = None
        self._last_publish = datetime.min.replace(tzinfo=UTC)
        self._token: tuple[object, ...] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._announce_all = False

    def announce_all(self) -> None:
        """At the next pass, hand every zone on as changed (this instance has just become
        the publisher: the serials the previous one may not have announced). From any
        thread."""
        self._announce_all = True
        self.wake()

    def wake(self) -> None:
        """Look at the database now rather than at the next poll: called, from any thread,
        after a change written by this very process (the HTTP API)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def publish_and_refresh(self, force: bool = False) -> Changed:
        """Publish what time has brought (when an instant is due, or every `PUBLISH_EVERY`),
        then, if anything changed in the database, load new serials. Blocking: run it in a
        thread. Returns the zones with a new serial and the resolvers to notify."""
        now = self.clock.now()
        if self.pending_notice_host is not None:
            with self.engine.begin() as conn:
                self.adopted = feed_service.adopt_notice_host(conn, self.pending_notice_host, now)
            self.pending_notice_host = None
            for published in self.adopted:
                log.warning("notice host is now %s: %s gets serial %d (full transfer)",
                            self.feed.settings.notice_host, published.operator,
                            published.serial)  # fmt: skip
        with self.engine.connect() as conn:
            token = store_feed.change_token(conn)
        due = self._next_due is not None and self._next_due <= now
        moved = token != self._token  # another process changed something
        publishing = self.publishing()
        if publishing and (force or due or now - self._last_publish >= PUBLISH_EVERY):
            with self.engine.begin() as conn:
                feed_service.publish_due(conn, now)
                self._next_due = store_feed.next_instant(conn, now)
            self._last_publish = now
            self.health.last_success = now
            self.health.pending = 0
            with self.engine.connect() as conn:
                token = store_feed.change_token(conn)
        elif moved:
            # A change written elsewhere was published by its writer, in its transaction;
            # here only its future instants matter (read-only: no write on this path, which
            # is the one between an API call and the NOTIFY that follows it).
            with self.engine.connect() as conn:
                since = store_feed.published_until(conn) or now
                self._next_due = store_feed.next_instant(conn, since)
        everything = self._announce_all and publishing
        if token == self._token and not force and not everything:
            return []
        self._token = token
        changed = self.feed.refresh()
        if everything:
            self._announce_all = False
            changed = list(self.feed.zones())
        if not changed:
            return []
        with self.engine.connect() as conn:
            notify = {op.name: op.notify for op in store.list_operators(conn)}
        for view in changed:
            log.info("feed %s at serial %d (%d entries)", view.zone, view.serial,
                     len(view.entries))  # fmt: skip
        return [(view, notify.get(view.operator, ())) for view in changed]

    async def tick(self, force: bool = False) -> bool:
        """One pass of publication and refresh; False when it failed (it is retried)."""
        try:
            changed = await asyncio.to_thread(self.publish_and_refresh, force)
        except Exception as exc:
            await asyncio.to_thread(self._failed, exc)
            return False
        if self.health.failing_since is not None:
            log.warning("publication works again after %d failed attempts since %s",
                        self.health.failures, self.health.failing_since.isoformat())  # fmt: skip
            self.health.failing_since = None
        self.health.failures = 0
        self.health.last_error = ""
        if changed:
            self.on_change(changed)
        return True

    def _failed(self, exc: Exception) -> None:
        """Record a failed pass, say so once per kind of failure, and count what is owed."""
        now = self.clock.now()
        health = self.health
        known = classify(exc)
        message = known.summary if known is not None else f"{type(exc).__name__}: {exc}"
        first = health.failing_since is None
        if first:
            health.failing_since = now
        health.failures += 1
        health.failures_total += 1
        if first or message != health.last_error:
            retry = f"retrying in {health.backoff():g} s and backing off up to {BACKOFF_MAX:g} s"
            if known is None:
                log.exception("publication failed (%s); %s", message, retry)
            else:
                log.warning("publication failed: %s; %s", message, retry)
        else:
            log.info("publication failed again (%d in a row): %s", health.failures, message)
        health.last_error = message
        try:
            with self.engine.connect() as conn:
                since = store_feed.published_until(conn)
                if since is not None:
                    health.pending = store_feed.due_instants(conn, since, now)
        except Exception:  # the database cannot even be read: keep the last count
            pass

    async def run(self, stop: asyncio.Event) -> None:
        """Publish at every effective/expiry instant, and notice other processes' changes
        (by polling) and this process's own (woken by `wake`), until `stop`."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while not stop.is_set():
            self._wake.clear()
            await self.tick()
            wait = POLL
            if self.health.failures:
                wait = self.health.backoff()
            elif self._next_due is not None:
                until = (self._next_due - self.clock.now()).total_seconds()
                wait = max(0.0, min(POLL, until))
            waiters = {
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._wake.wait()),
            }
            _done, pending = await asyncio.wait(
                waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
