"""The feed's DNS server: one object that ties together the parts of the feed, each with
one job, and answers the queries its transport receives.

- `arret.feed.transport`: the sockets (UDP and TCP framing, connection limits);
- `arret.feed.responder`: the answer to one query, socket-free;
- `arret.feed.cache`: the zones in memory, refreshed from the database, and the rendered
  transfer bodies (each server owns its own: two servers in one process share nothing);
- `arret.feed.scheduler`: when to publish, with retry and backoff;
- `arret.feed.notify` and `arret.feed.delivery`: NOTIFY, and what each resolver holds.

- `arret.feed.role`: whether this instance publishes (one among instances sharing a
  PostgreSQL database);
- `arret.feed.stats`: what was answered, for `/metrics` and the operator's page.

Here: each query is answered in a worker thread (the responder may read the journal from
the database), counted and shown to the delivery tracker; the zones a publication changed
are handed to the notifier, which holds them until the transport listens (see
`FeedServer.start`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from arret.domain.instants import Clock
from arret.feed.cache import DatabaseFeed
from arret.feed.delivery import TRANSFERS
from arret.feed.notify import Notifier, ResolverState
from arret.feed.responder import Outcome, ZoneView, respond, servfail
from arret.feed.role import Role
from arret.feed.scheduler import Changed, Health, Scheduler
from arret.feed.stats import Stats
from arret.feed.transport import TcpLimits, Transport
from arret.services.database import classify

log = logging.getLogger("arret.feed")


class FeedServer:
    """One feed: its zones, transport, scheduler and notifier, and what it answered."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        feed: DatabaseFeed,
        notifier: Notifier,
        limits: TcpLimits | None = None,
    ):
        self.engine = engine
        self.clock = clock
        self.feed = feed
        self.notifier = notifier
        self.stats = Stats()
        self.transport = Transport(self, limits)
        self.scheduler = Scheduler(engine, clock, feed, self._changed)
        self.role = Role(engine, clock)
        self.scheduler.publishing = lambda: self.role.publishing
        self.role.on_publishing.append(self.scheduler.announce_all)
        self.on_outcome: Callable[[Outcome], None] | None = None
        #: Called in the event loop with the zones that got a new serial.
        self.on_publish: list[Callable[[list[ZoneView]], None]] = []
        # Not before the listeners accept (`start`): a secondary fetches the moment it is
        # told, and a refused connection leaves it on the old serial until its refresh
        # timer (minutes).
        notifier.hold()

    @property
    def health(self) -> Health:
        return self.scheduler.health

    @property
    def tcp_connections(self) -> int:
        return self.transport.connections

    def wake(self) -> None:
        """Look at the database now rather than at the next poll: called, from any thread,
        after a change written by this very process (the HTTP API)."""
        self.scheduler.wake()

    async def tick(self, force: bool = False) -> bool:
        """One pass of publication and refresh; False when it failed (it is retried)."""
        return await self.scheduler.tick(force)

    async def run_scheduler(self, stop: asyncio.Event) -> None:
        await self.scheduler.run(stop)

    async def answer(
        self, wire: bytes, source: str, tcp: bool
    ) -> tuple[list[bytes], Outcome | None]:
        """The messages answering one query (and what was done; None when the query
        could not be answered and SERVFAIL, or nothing, is sent)."""
        now = self.clock.now()
        try:
            outcome = await asyncio.to_thread(respond, wire, source, tcp, self.feed, now, tcp)
        except Exception as exc:
            # The journal could not be read (an IXFR while the database is unreachable):
            # the client retries, as it would with any server failure.
            self.stats.servfail += 1
            known = classify(exc)
            if known is None:
                log.exception("answering a query from %s failed", source)
            else:
                log.warning("query from %s answered SERVFAIL: %s", source, known.summary)
            answer = servfail(wire)
            return ([answer] if answer else []), None
        view = (
            self.feed.zone(self.feed.settings.zone(outcome.operator)) if outcome.operator else None
        )
        self.stats.count(outcome, now, view.serial if view else 0)
        if outcome.rcode != "NOERROR" or outcome.kind in ("dropped", "formerr"):
            log.info("%s from %s: %s %s", outcome.kind, source, outcome.rcode, outcome.reason)
        elif outcome.kind != "soa" and outcome.rest is None:
            log.info("%s of %s to %s: %d messages", outcome.kind, outcome.operator, source,
                     len(outcome.messages))  # fmt: skip
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        # A transfer is an attempt from now on, and counts as delivered once its data has
        # all gone out (the transport reports it again then, `sent`).
        self._saw(outcome, source, now, complete=outcome.kind not in TRANSFERS)
        return outcome.messages, outcome

    def sent(self, outcome: Outcome, source: str, complete: bool) -> None:
        if outcome.kind in TRANSFERS:
            self._saw(outcome, source, self.clock.now(), complete)

    def _saw(self, outcome: Outcome, source: str, at: datetime, complete: bool = True) -> None:
        """Tell the delivery tracker what this answered query shows of the resolver."""
        if outcome.operator is None or outcome.rcode != "NOERROR":
            return
        zone = self.feed.settings.zone(outcome.operator)
        self.notifier.tracker.saw(zone, outcome.operator, source, outcome.kind, outcome.serial,
                                  outcome.client, at, complete)  # fmt: skip

    async def start(self, host: str, port: int) -> int:
        """Listen on UDP and TCP; returns the port (useful when 0 asked for a free one).
        Only then do the NOTIFYs held back until now go out (see `_changed`)."""
        bound = await self.transport.start(host, port)
        self.notifier.release()
        return bound

    def _changed(self, changed: Changed) -> None:
        """After a publication pass: announce each new serial to its resolvers, then tell
        the listeners (`on_publish`)."""
        for view, targets in changed:
            if self.role.publishing:  # only the publisher tells the resolvers
                self.notifier.announce(view.zone, view.serial, targets)
        for listener in self.on_publish:
            listener([view for view, _ in changed])

    def resolvers(self, operator: str | None = None) -> list[ResolverState]:
        """Every resolver seen fetching a zone or told of one since start (of `operator`
        only, when given), sorted by operator and address."""

        def serial_of(zone: str) -> int | None:
            view = self.feed.zone(zone)
            return view.serial if view is not None else None

        return self.notifier.resolvers(serial_of, operator)

    def close(self) -> None:
        self.transport.close()
        self.notifier.close()
        if self.role.lock is not None:
            self.role.lock.release()  # another instance may publish at once
