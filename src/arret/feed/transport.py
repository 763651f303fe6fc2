"""The feed's sockets: DNS over UDP and TCP (asyncio), and the bounds on what one client
can hold. Its one job is moving bytes: each query goes to a `Handler`, whose messages are
written back; what is answered, and why, is decided elsewhere (`arret.feed.server`, and
`arret.feed.responder` below it).

A TCP connection may carry several queries (RFC 7766 §6.2.1), each message framed by its
two-octet length (RFC 1035 §4.2.2). What one client can hold is bounded (RFC 7766
§6.2.2 lets a server close idle or excess connections): a connection is closed after
`IDLE_TIMEOUT` of silence, when a started message does not arrive whole within
`READ_TIMEOUT`, when the client does not read an answer within `WRITE_TIMEOUT` (at most
`WRITE_BUFFER` octets are queued for it), and connections over `TcpLimits` (per source
address and in all) are closed at once. UDP queries waiting for an answer are bounded
too: beyond `UDP_PENDING`, datagrams are dropped as a full socket buffer would.

A transfer's messages not rendered yet (`Outcome.rest`) are made `STREAM_BATCH` at a
time in a worker thread while the previous batch is on its way.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from arret.feed.responder import Outcome

log = logging.getLogger("arret.feed")

IDLE_TIMEOUT = 30.0
#: Once a message's length has arrived, the message itself must follow within this.
READ_TIMEOUT = 10.0
#: A client that reads nothing of an answer for this long is disconnected.
WRITE_TIMEOUT = 30.0
#: Messages of a transfer rendered per step of a worker thread: the first step's are on
#: the wire after about 1/60 of a million-name zone's rendering, not all of it.
STREAM_BATCH = 16
#: Octets queued for one TCP client before the server waits for it to read.
WRITE_BUFFER = 256 * 1024
#: UDP queries queued for a worker thread at once; beyond, datagrams are dropped.
UDP_PENDING = 1024


def _take(messages: Iterator[bytes], count: int) -> list[bytes]:
    return list(itertools.islice(messages, count))


@dataclass(frozen=True)
class TcpLimits:
    """Open TCP connections allowed at once, in all and from one source address. A feed
    has a few resolvers per operator; these leave room for hundreds of operators."""

    total: int = 512
    per_source: int = 32


@dataclass
class TransportStats:
    """What the limits did since start (for `/metrics`)."""

    #: TCP connections closed at once for exceeding `TcpLimits`, and for timeouts.
    tcp_rejected: int = 0
    tcp_timeouts: int = 0
    #: UDP queries dropped because `UDP_PENDING` were already waiting.
    udp_dropped: int = 0


class Handler(Protocol):
    """What answers the queries the transport receives."""

    async def answer(
        self, wire: bytes, source: str, tcp: bool
    ) -> tuple[list[bytes], Outcome | None]:
        """The messages to send back (and, when the query was answered, what was done:
        its `rest` is streamed after the messages)."""
        ...

    def sent(self, outcome: Outcome, source: str, complete: bool) -> None:
        """Called once the answer of a TCP query has gone out (`complete`) or the
        connection broke while sending it."""
        ...


class Transport:
    """The UDP and TCP listeners of one feed server, and the connections they hold."""

    def __init__(self, handler: Handler, limits: TcpLimits | None = None) -> None:
        self.handler = handler
        self.limits = limits or TcpLimits()
        self.stats = TransportStats()
        self._connections: dict[str, int] = {}
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.DatagramTransport] = []

    @property
    def connections(self) -> int:
        """TCP connections open now."""
        return sum(self._connections.values())

    async def start(self, host: str, port: int) -> int:
        """Listen on TCP, then UDP on the same port; returns the port (useful when 0
        asked for a free one). When it returns, both sockets are bound and the TCP one
        listens: the kernel completes handshakes from here on."""
        server = await asyncio.start_server(self._tcp, host, port)
        self._servers.append(server)
        bound = server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(host, bound)
        )
        self._transports.append(transport)
        return int(bound)

    def close(self) -> None:
        for server in self._servers:
            server.close()
        for transport in self._transports:
            transport.close()

    async def _tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        source = peer[0] if peer else "?"
        held = self._connections.get(source, 0)
        if held >= self.limits.per_source or self.connections >= self.limits.total:
            self.stats.tcp_rejected += 1
            log.info("TCP connection from %s closed: %d open from it, %d in all", source, held,
                     self.connections)  # fmt: skip
            writer.transport.abort()
            return
        self._connections[source] = held + 1
        writer.transport.set_write_buffer_limits(high=WRITE_BUFFER)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), IDLE_TIMEOUT)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT)
                messages, outcome = await self.handler.answer(wire, source, tcp=True)
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
                    if outcome is not None:
                        # Whole or not, the attempt is known (a broken one is not delivery).
                        self.handler.sent(outcome, source, complete)
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


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, transport: Transport) -> None:
        self.owner = transport
        self.transport: asyncio.DatagramTransport | None = None
        # The event loop keeps only weak references to tasks: without these, a reply
        # in flight can be garbage-collected under a flood and silently never sent.
        self.pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(self.pending) >= UDP_PENDING:
            self.owner.stats.udp_dropped += 1
            return
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def error_received(self, exc: Exception) -> None:
        log.info("UDP error (an ICMP message about an earlier reply): %s", exc)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        messages, _ = await self.owner.handler.answer(data, addr[0], tcp=False)
        for message in messages:
            if self.transport is not None:
                self.transport.sendto(message, addr)
