"""The feed's sockets: DNS over UDP and TCP (asyncio), the publication scheduler, and
NOTIFY. Protocol decisions live in `arret.feed.responder`; this module only moves bytes.

Each query is answered in a worker thread (the responder may read the journal from the
database); a TCP connection may carry several queries (RFC 7766 §6.2.1). What one client
can hold is bounded (RFC 7766 §6.2.2 lets a server close idle or excess connections):
a connection is closed after `IDLE_TIMEOUT` of silence, when a started message does not
arrive whole within `READ_TIMEOUT`, when the client does not read an answer within
`WRITE_TIMEOUT` (at most `WRITE_BUFFER` octets are queued for it), and connections over
`TcpLimits` (per source address and in all) are closed at once. UDP queries waiting for a
worker are bounded too: beyond `UDP_PENDING`, datagrams are dropped as a full socket
buffer would.

The scheduler never ends the process: a publication that fails (the database locked by
another writer, its disk full, its connection lost) is retried with backoff, logged, and
shown in `/metrics` (`Health`); DNS keeps answering from the zones in memory meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from arret.domain.instants import Clock
from arret.feed.cache import DatabaseFeed
from arret.feed.delivery import TRANSFERS, Held, at_least, target_address
from arret.feed.notify import Notifier, Pending
from arret.feed.responder import Outcome, ZoneView, respond, servfail
from arret.rpz import serial as serials
from arret.services import feed as feed_service
from arret.services.feed import Published
from arret.store import feed as store_feed
from arret.store import registry as store
from arret.store.db import classify

log = logging.getLogger("arret.feed")

IDLE_TIMEOUT = 30.0
#: Once a message's length has arrived, the message itself must follow within this.
READ_TIMEOUT = 10.0
#: A client that reads nothing of an answer for this long is disconnected.
WRITE_TIMEOUT = 30.0
#: Messages of a transfer rendered per step of a worker thread: the first step's are on
#: the wire after about 1/60 of a million-name zone's rendering, not all of it.
STREAM_BATCH = 16


def _take(messages: Iterator[bytes], count: int) -> list[bytes]:
    return list(itertools.islice(messages, count))


#: Octets queued for one TCP client before the server waits for it to read.
WRITE_BUFFER = 256 * 1024
#: UDP queries queued for a worker thread at once; beyond, datagrams are dropped.
UDP_PENDING = 1024
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


@dataclass(frozen=True)
class TcpLimits:
    """Open TCP connections allowed at once, in all and from one source address. A feed
    has a few resolvers per operator; these leave room for hundreds of operators."""

    total: int = 512
    per_source: int = 32


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

    def backoff(self) -> float:
        if self.failures == 0:
            return 0.0
        return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(self.failures - 1, 16)))


@dataclass
class Stats:
    """Transfers served since start (for `/metrics` and the operator's page)."""

    #: (operator, kind) -> count; kind is axfr, ixfr, ixfr-axfr (fallback) or ixfr-current.
    transfers: dict[tuple[str, str], int] = field(default_factory=dict)
    #: operator -> (kind, instant, serial) of its latest transfer.
    last: dict[str, tuple[str, datetime, int]] = field(default_factory=dict)
    refused: int = 0
    #: TCP connections closed at once for exceeding `TcpLimits`, and for timeouts.
    tcp_rejected: int = 0
    tcp_timeouts: int = 0
    #: UDP queries dropped because `UDP_PENDING` were already waiting.
    udp_dropped: int = 0
    #: Queries answered SERVFAIL because the database could not be read.
    servfail: int = 0

    def count(self, outcome: Outcome, at: datetime, serial: int) -> None:
        if outcome.operator and outcome.kind in ("axfr", "ixfr", "ixfr-axfr", "ixfr-current"):
            key = (outcome.operator, outcome.kind)
            self.transfers[key] = self.transfers.get(key, 0) + 1
            self.last[outcome.operator] = (outcome.kind, at, serial)
        elif outcome.rcode in ("REFUSED", "NOTAUTH"):
            self.refused += 1


@dataclass(frozen=True)
class ResolverState:
    """One resolver of one operator, as the feed sees it: what it holds (if it was seen),
    how far behind the zone's serial that is, and the NOTIFY in flight or given up."""

    operator: str
    #: The resolver's IP address (transfers and NOTIFY targets are matched on it).
    address: str
    #: The zone's serial now (None: not loaded).
    current: int | None
    held: Held | None = None
    #: The announcement in flight to it: (target, state).
    pending: tuple[str, Pending] | None = None
    #: (serial, when) of the last announcement given up, until a later one is delivered.
    gave_up: tuple[int, datetime] | None = None

    @property
    def lag(self) -> int | None:
        """Serials are Unix seconds: how many seconds of publication it is behind."""
        if self.held is None or self.current is None:
            return None
        if at_least(self.held.serial, self.current):
            return 0
        return (self.current - self.held.serial) % serials.MODULUS


class FeedServer:
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
        self.limits = limits or TcpLimits()
        self.stats = Stats()
        self.health = Health()
        #: A notice host to record before the next publication (see `adopt_notice_host`),
        #: and what recording it published.
        self.pending_notice_host: str | None = None
        self.adopted: list[Published] = []
        self._connections: dict[str, int] = {}
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
        #: False until `start` listens: NOTIFY is held back until then, per zone.
        self.listening = False
        self._held_back: dict[tuple[str, int], tuple[str, ...]] = {}

    def wake(self) -> None:
        """Look at the database now rather than at the next poll: called, from any thread,
        after a change written by this very process (the HTTP API)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def answer(self, wire: bytes, source: str, tcp: bool) -> list[bytes]:
        return (await self._answer(wire, source, tcp))[0]

    async def _answer(
        self, wire: bytes, source: str, tcp: bool
    ) -> tuple[list[bytes], Outcome | None]:
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
        # all gone out (`_tcp` reports it again then).
        self._saw(outcome, source, now, complete=outcome.kind not in TRANSFERS)
        return outcome.messages, outcome

    async def _send_rest(self, writer: asyncio.StreamWriter, outcome: Outcome, source: str) -> bool:
        """Send the messages of a transfer still to be rendered, a batch at a time, each
        batch made in a worker thread while the previous one is on its way; False (the
        connection cut) when one could not be made."""
        rest = outcome.rest
        if rest is None:
            return True
        sent = 0
        while True:
            try:
                batch = await asyncio.to_thread(_take, rest, STREAM_BATCH)
            except Exception:
                # The client sees the transfer end short and retries; the server goes on.
                log.exception("transfer of %s to %s failed after %d messages",
                              outcome.operator, source, sent)  # fmt: skip
                writer.transport.abort()
                return False
            for message in batch:
                writer.write(struct.pack("!H", len(message)) + message)
                await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
            sent += len(batch)
            if len(batch) < STREAM_BATCH:
                break
        log.info("%s of %s to %s: %d messages", outcome.kind, outcome.operator, source, sent)
        return True

    def _saw(self, outcome: Outcome, source: str, at: datetime, complete: bool = True) -> None:
        """Tell the delivery tracker what this answered query shows of the resolver."""
        if outcome.operator is None or outcome.rcode != "NOERROR":
            return
        zone = self.feed.settings.zone(outcome.operator)
        self.notifier.tracker.saw(zone, outcome.operator, source, outcome.kind, outcome.serial,
                                  outcome.client, at, complete)  # fmt: skip

    async def start(self, host: str, port: int) -> int:
        """Listen on UDP and TCP; returns the port (useful when 0 asked for a free one).
        Only then do the NOTIFYs held back until now go out (see `tick`)."""
        server = await asyncio.start_server(self._tcp, host, port)
        self._servers.append(server)
        bound = server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(host, bound)
        )
        self._transports.append(transport)
        # Both sockets are bound and the TCP one listens (the kernel completes handshakes
        # from here on): a resolver told now can fetch at once.
        self.listening = True
        held, self._held_back = self._held_back, {}
        for (zone, serial), targets in held.items():
            self.notifier.announce(zone, serial, targets)
        return int(bound)

    async def _tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        source = peer[0] if peer else "?"
        held = self._connections.get(source, 0)
        if held >= self.limits.per_source or sum(self._connections.values()) >= self.limits.total:
            self.stats.tcp_rejected += 1
            log.info("TCP connection from %s closed: %d open from it, %d in all", source, held,
                     sum(self._connections.values()))  # fmt: skip
            writer.transport.abort()
            return
        self._connections[source] = held + 1
        writer.transport.set_write_buffer_limits(high=WRITE_BUFFER)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), IDLE_TIMEOUT)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT)
                messages, outcome = await self._answer(wire, source, tcp=True)
                transfer = outcome if outcome is not None and outcome.kind in TRANSFERS else None
                complete = False
                try:
                    for message in messages:
                        writer.write(struct.pack("!H", len(message)) + message)
                        await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
                    sent = outcome is None or await self._send_rest(writer, outcome, source)
                    if not sent:
                        return
                    complete = True
                finally:
                    if transfer is not None:
                        # Whole or not, the attempt is known (a broken one is not delivery).
                        self._saw(transfer, source, self.clock.now(), complete)
        except TimeoutError:
            self.stats.tcp_timeouts += 1
            writer.transport.abort()  # whatever is queued for a client that stopped reading
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            left = self._connections.get(source, 1) - 1
            if left > 0:
                self._connections[source] = left
            else:
                self._connections.pop(source, None)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def resolvers(self, operator: str | None = None) -> list[ResolverState]:
        """Every resolver seen fetching a zone or told of one since start (of `operator`
        only, when given), sorted by operator and address."""
        notifier = self.notifier
        rows: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

        def row(zone: str, address: str) -> dict[str, Any]:
            op = notifier.operator_of(zone)
            if operator is not None and op != operator:
                return {}  # not kept
            return rows.setdefault((op, address), (zone, {}))[1]

        for zone, address, contact in notifier.tracker:
            row(zone, address)["held"] = contact.held
        for (target, zone), pending in notifier.pending.items():
            row(zone, target_address(target))["pending"] = (target, pending)
        for (zone, address), gave_up in notifier.gave_up.items():
            row(zone, address)["gave_up"] = gave_up
        out = []
        for (op, address), (zone, found) in sorted(rows.items()):
            view = self.feed.zone(zone)
            current = view.serial if view is not None else None
            out.append(ResolverState(op, address, current=current, **found))
        return out

    @property
    def tcp_connections(self) -> int:
        return sum(self._connections.values())

    def publish_and_refresh(self, force: bool = False) -> list[tuple[ZoneView, tuple[str, ...]]]:
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
        if force or due or now - self._last_publish >= PUBLISH_EVERY:
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
        for view, targets in changed:
            if self.listening:
                self.notifier.announce(view.zone, view.serial, targets)
            else:
                # Not before the listeners accept: a secondary fetches the moment it is
                # told, and a refused connection leaves it on the old serial until its
                # refresh timer (minutes). `start` sends these.
                self._held_back = {k: t for k, t in self._held_back.items()
                                   if k[0] != view.zone}  # fmt: skip
                self._held_back[(view.zone, view.serial)] = targets
        if changed:
            for listener in self.on_publish:
                listener([view for view, _ in changed])
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

    async def run_scheduler(self, stop: asyncio.Event) -> None:
        """Publish at every effective/expiry instant, and notice other processes' changes
        (by polling) and this process's own (woken by `wake`)."""
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
        if len(self.pending) >= UDP_PENDING:
            self.server.stats.udp_dropped += 1
            return
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def error_received(self, exc: Exception) -> None:
        log.info("UDP error (an ICMP message about an earlier reply): %s", exc)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        for message in await self.server.answer(data, addr[0], tcp=False):
            if self.transport is not None:
                self.transport.sendto(message, addr)
