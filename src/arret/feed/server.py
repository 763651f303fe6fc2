"""The feed's sockets: DNS over UDP and TCP (asyncio), the publication scheduler, and
NOTIFY. Protocol decisions live in `arret.feed.responder`; this module only moves bytes.

Each query is answered in a worker thread (the responder may read the journal from the
database); a TCP connection may carry several queries (RFC 7766 §6.2.1) and is closed
after 30 s of silence or on a malformed length.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from arret.domain.instants import Clock
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.responder import Outcome, ZoneView, respond
from arret.services import feed as feed_service
from arret.store import feed as store_feed
from arret.store import registry as store

log = logging.getLogger("arret.feed")

IDLE_TIMEOUT = 30.0
#: How often the database is looked at (one cheap query) for changes made by other
#: processes, such as `arret order add`.
POLL = 0.1
#: Time-driven publication runs at each due instant, and at least this often anyway.
PUBLISH_EVERY = timedelta(seconds=5)


@dataclass
class Stats:
    """Transfers served since start (for `/metrics` and the operator's page)."""

    #: (operator, kind) -> count; kind is axfr, ixfr, ixfr-axfr (fallback) or ixfr-current.
    transfers: dict[tuple[str, str], int] = field(default_factory=dict)
    #: operator -> (kind, instant, serial) of its latest transfer.
    last: dict[str, tuple[str, datetime, int]] = field(default_factory=dict)
    refused: int = 0

    def count(self, outcome: Outcome, at: datetime, serial: int) -> None:
        if outcome.operator and outcome.kind in ("axfr", "ixfr", "ixfr-axfr", "ixfr-current"):
            key = (outcome.operator, outcome.kind)
            self.transfers[key] = self.transfers.get(key, 0) + 1
            self.last[outcome.operator] = (outcome.kind, at, serial)
        elif outcome.rcode in ("REFUSED", "NOTAUTH"):
            self.refused += 1


class FeedServer:
    def __init__(self, engine: Engine, clock: Clock, feed: DatabaseFeed, notifier: Notifier):
        self.engine = engine
        self.clock = clock
        self.feed = feed
        self.notifier = notifier
        self.stats = Stats()
        self.on_outcome: Callable[[Outcome], None] | None = None
        #: Called in the event loop with the zones that got a new serial.
        self.on_publish: list[Callable[[list[ZoneView]], None]] = []
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.DatagramTransport] = []
        self._next_due: datetime | None = None
        self._last_publish = datetime.min.replace(tzinfo=UTC)
        self._token: tuple[object, ...] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Look at the database now rather than at the next poll: called, from any thread,
        after a change written by this very process (the HTTP API)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def answer(self, wire: bytes, source: str, tcp: bool) -> list[bytes]:
        now = self.clock.now()
        outcome = await asyncio.to_thread(respond, wire, source, tcp, self.feed, now)
        view = (
            self.feed.zone(self.feed.settings.zone(outcome.operator)) if outcome.operator else None
        )
        self.stats.count(outcome, now, view.serial if view else 0)
        if outcome.rcode != "NOERROR" or outcome.kind in ("dropped", "formerr"):
            log.info("%s from %s: %s %s", outcome.kind, source, outcome.rcode, outcome.reason)
        elif outcome.kind != "soa":
            log.info("%s of %s to %s: %d messages", outcome.kind, outcome.operator, source,
                     len(outcome.messages))  # fmt: skip
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome.messages

    async def start(self, host: str, port: int) -> int:
        """Listen on UDP and TCP; returns the port (useful when 0 asked for a free one)."""
        server = await asyncio.start_server(self._tcp, host, port)
        self._servers.append(server)
        bound = server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(host, bound)
        )
        self._transports.append(transport)
        return int(bound)

    async def _tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        source = peer[0] if peer else "?"
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), IDLE_TIMEOUT)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), IDLE_TIMEOUT)
                for message in await self.answer(wire, source, tcp=True):
                    writer.write(struct.pack("!H", len(message)) + message)
                    await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def publish_and_refresh(self, force: bool = False) -> list[tuple[ZoneView, tuple[str, ...]]]:
        """Publish what time has brought (when an instant is due, or every `PUBLISH_EVERY`),
        then, if anything changed in the database, load new serials. Blocking: run it in a
        thread. Returns the zones with a new serial and the resolvers to notify."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            token = store_feed.change_token(conn)
        due = self._next_due is not None and self._next_due <= now
        moved = token != self._token  # another process changed something
        if force or due or now - self._last_publish >= PUBLISH_EVERY:
            with self.engine.begin() as conn:
                feed_service.publish_due(conn, now)
                self._next_due = store_feed.next_instant(conn, now)
            self._last_publish = now
            with self.engine.connect() as conn:
                token = store_feed.change_token(conn)
        elif moved:
            # A change written elsewhere was published by its writer, in its transaction;
            # here only its future instants matter (read-only: no write on this path, which
            # is the one between an API call and the NOTIFY that follows it).
            with self.engine.connect() as conn:
                since = store_feed.published_until(conn) or now
                self._next_due = store_feed.next_instant(conn, since)
        if token == self._token and not force:
            return []
        self._token = token
        changed = self.feed.refresh()
        if not changed:
            return []
        with self.engine.connect() as conn:
            notify = {op.name: op.notify for op in store.list_operators(conn)}
        for view in changed:
            log.info("feed %s at serial %d (%d entries)", view.zone, view.serial,
                     len(view.entries))  # fmt: skip
        return [(view, notify.get(view.operator, ())) for view in changed]

    async def tick(self, force: bool = False) -> None:
        changed = await asyncio.to_thread(self.publish_and_refresh, force)
        for view, targets in changed:
            self.notifier.announce(view.zone, view.serial, targets)
        if changed:
            for listener in self.on_publish:
                listener([view for view, _ in changed])

    async def run_scheduler(self, stop: asyncio.Event) -> None:
        """Publish at every effective/expiry instant, and notice other processes' changes
        (by polling) and this process's own (woken by `wake`)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while not stop.is_set():
            self._wake.clear()
            await self.tick()
            wait = POLL
            if self._next_due is not None:
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

    def close(self) -> None:
        for server in self._servers:
            server.close()
        for transport in self._transports:
            transport.close()
        self.notifier.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        # The event loop keeps only weak references to tasks: without these, a reply
        # in flight can be garbage-collected under a flood and silently never sent.
        self.pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def error_received(self, exc: Exception) -> None:
        log.info("UDP error (an ICMP message about an earlier reply): %s", exc)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        for message in await self.server.answer(data, addr[0], tcp=False):
            if self.transport is not None:
                self.transport.sendto(message, addr)
