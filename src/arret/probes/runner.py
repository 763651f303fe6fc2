"""Asking resolvers many questions at once: the network side of compliance probing.

Each resolver gets a few UDP sockets (`SOCKETS`), each with its own 65,536 message IDs
(RFC 1035 §4.1.1); a question goes out on the least busy socket of its resolver, and an
answer is matched by its socket, its ID and the question it echoes, byte for byte (RFC
5452 §9.1: an answer must echo the question, or it is someone else's). The sockets are
connected, so the kernel drops datagrams from any other address. At most `concurrency`
questions are in flight in all, which bounds both the memory used and the answers the
kernel must hold for us: every socket's receive buffer is made to hold more answers than
it can have questions in flight, so no answer is lost to our own buffers.

Queries are built from bytes (a header whose ID is patched in, and the question in wire
form), not from dnspython messages, and answers are kept as received (`Answer.wire`);
`arret.probes.wire` reads what the verdict needs from them. A question without an answer
within `timeout` is asked again, up to `retries` times, with a new ID; after that it is a
timeout. Nothing here decides what an answer means (`arret.probes.verdict` does). Time
comes from the caller's clock; latencies from the monotonic clock.

The loop is synchronous (non-blocking sockets polled with `select.epoll`/`selectors`),
and `ask` is a generator: answers come out as they arrive, and questions are drawn
from the iterable given only as slots free up, so neither side is ever held whole.
"""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.message
import dns.name
import dns.rdatatype

import arret.dnstypes  # noqa: F401 - every record type loaded before threads read any
from arret.domain.instants import Clock
from arret.rpz.resolvers import split_endpoint

#: Sockets per resolver: questions in flight to one resolver are spread over them.
SOCKETS = 4
#: Receive and send buffer asked for each socket (the kernel may give less).
BUFFER = 4 * 2**20
#: What the kernel charges a socket's receive buffer per small datagram, at most (the
#: datagram's "truesize" on loopback and common NICs): used to size the buffer.
_TRUESIZE = 2304
#: The flags of a query: RD (RFC 1035 §4.1.1), as any stub sends.
_FLAGS = 0x0100


@dataclass(frozen=True)
class Question:
    resolver: str  # HOST:PORT
    name: str  # without the trailing dot
    rdtype: str = "A"
    #: Whatever the caller needs to route the answer (not sent, not compared).
    ref: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Answer:
    question: Question
    #: The response as received; None: no answer after every try.
    wire: bytes | None
    #: Seconds from the last try's sending to its answer (or to giving up).
    latency: float
    #: When the question was (last) asked, from the caller's clock.
    at: datetime
    tries: int

    @property
    def message(self) -> dns.message.Message | None:
        """The response parsed whole by dnspython (slow: for tests and odd answers)."""
        return None if self.wire is None else dns.message.from_wire(self.wire)


@dataclass
class Counts:
    """What a run did, for benchmarks and logs."""

    questions: int = 0
    #: Datagrams sent, retries included.
    sent: int = 0
    retries: int = 0
    answered: int = 0
    timeouts: int = 0
    #: Datagrams received that matched no question in flight (late, forged, garbled).
    unmatched: int = 0


def question_wire(name: str, rdtype: str) -> bytes:
    """The question section (RFC 1035 §4.1.2) for `name` (an A-label) and `rdtype`."""
    qname: bytes | None = None
    if name.isascii():
        raw = name.rstrip(".").encode("ascii")
        labels = raw.split(b".") if raw else []
        if all(0 < len(label) < 64 for label in labels) and len(raw) < 254:
            qname = b"".join(bytes((len(label),)) + label for label in labels) + b"\0"
    if qname is None:
        wire = dns.name.from_text(name).to_wire()  # raises the precise error, or copes
        assert wire is not None
        qname = wire
    return qname + struct.pack("!HH", dns.rdatatype.from_text(rdtype), 1)


#: Yielded by a source of questions that has none ready yet but is not exhausted (a
#: process feeding this one through a pipe): the prober goes on with the questions in
#: flight and asks the source again within `_WAITING` seconds.
WAIT = Question("", "")
_WAITING = 0.002


class _Flight:
    __slots__ = ("at", "began", "channel", "id", "question", "qwire", "tries")

    def __init__(self, question: Question, qwire: bytes) -> None:
        self.question = question
        self.qwire = qwire
        self.tries = 0
        self.id = -1
        self.channel: _Channel | None = None
        self.began = 0.0
        self.at: datetime | None = None


class _Channel:
    """One connected socket to one resolver and the questions in flight on it."""

    def __init__(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            with contextlib.suppress(OSError):  # keep the default
                self.sock.setsockopt(socket.SOL_SOCKET, option, BUFFER)
        self.sock.setblocking(False)
        self.sock.connect((host, port))
        self.pending: dict[int, _Flight] = {}
        #: Answers the receive buffer holds surely (Linux reports twice what it charges).
        self.room = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 2 // _TRUESIZE

    def new_id(self) -> int:
        pending = self.pending
        while True:
            candidate = random.getrandbits(16)
            if candidate not in pending:
                return candidate


class Prober:
    """Asks questions of resolvers with bounded concurrency, timeouts and retries."""

    def __init__(
        self,
        clock: Clock,
        concurrency: int = 200,
        timeout: float = 2.0,
        retries: int = 1,
        sockets: int = SOCKETS,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.clock = clock
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.sockets = sockets
        self.counts = Counts()
        self._channels: dict[str, list[_Channel]] = {}
        self._selector = selectors.DefaultSelector()

    def _channels_of(self, resolver: str) -> list[_Channel]:
        channels = self._channels.get(resolver)
        if channels is None:
            host, port = split_endpoint(resolver)
            channels = [_Channel(host, port)]
            # Enough sockets that their buffers hold every answer that can be in flight.
            wanted = max(self.sockets, -(-self.concurrency // max(1, channels[0].room)))
            channels += [_Channel(host, port) for _ in range(wanted - 1)]
            for channel in channels:
                self._selector.register(channel.sock, selectors.EVENT_READ, channel)
            self._channels[resolver] = channels
        return channels

    def ask(self, questions: Iterable[Question]) -> Iterator[Answer]:
        """Every question's answer (or timeout), in the order they come."""
        source = iter(questions)
        clock, counts, timeout = self.clock, self.counts, self.timeout
        monotonic = time.monotonic
        #: Flights in sending order: their deadlines are in order too (one timeout).
        clocked: deque[tuple[float, int, _Flight]] = deque()
        in_flight = 0
        exhausted = False
        waiting = False

        def send(flight: _Flight) -> None:
            channel = flight.channel
            if channel is None:
                channels = self._channels_of(flight.question.resolver)
                channel = min(channels, key=lambda c: len(c.pending))
                flight.channel = channel
            ident = channel.new_id()
            flight.id = ident
            flight.tries += 1
            channel.pending[ident] = flight
            flight.at = clock.now()
            flight.began = monotonic()
            header = struct.pack("!HHHHHH", ident, _FLAGS, 1, 0, 0, 0)
            # Not sent (a full buffer, an ICMP error pending): it times out and is retried,
            # as a lost datagram would be.
            with contextlib.suppress(OSError):
                channel.sock.send(header + flight.qwire)
            counts.sent += 1
            clocked.append((flight.began + timeout, flight.tries, flight))

        while True:
            # Fill every free slot.
            waiting = False
            while not exhausted and in_flight < self.concurrency:
                question = next(source, None)
                if question is None:
                    exhausted = True
                    break
                if question is WAIT:
                    waiting = True
                    break
                counts.questions += 1
                send(_Flight(question, question_wire(question.name, question.rdtype)))
                in_flight += 1
            if in_flight == 0 and not waiting:
                return
            # Wait for answers until the oldest flight's deadline.
            while clocked and clocked[0][2].tries != clocked[0][1]:
                clocked.popleft()  # a stale entry: that flight was retried since
            wait = max(0.0, clocked[0][0] - monotonic()) if clocked else timeout
            if waiting:
                wait = min(wait, _WAITING)
                if not self._channels:  # nothing to wait on yet
                    time.sleep(wait)
                    continue
            for key_, _events in self._selector.select(wait):
                channel = key_.data
                sock, pending = channel.sock, channel.pending
                while True:
                    try:
                        data = sock.recv(65535)
                    except BlockingIOError:
                        break
                    except OSError:
                        continue  # an ICMP error (port unreachable): nothing to match
                    flight = pending.get(int.from_bytes(data[:2])) if len(data) >= 12 else None
                    if flight is None or not _echoes(data, flight.qwire):
                        counts.unmatched += 1
                        continue
                    del pending[flight.id]
                    in_flight -= 1
                    counts.answered += 1
                    assert flight.at is not None
                    yield Answer(flight.question, data, monotonic() - flight.began, flight.at,
                                 flight.tries)  # fmt: skip
            # Retry or give up what is overdue.
            now = monotonic()
            while clocked and clocked[0][0] <= now:
                _deadline, tries, flight = clocked.popleft()
                channel = flight.channel
                if tries != flight.tries or channel is None:
                    continue  # stale
                if channel.pending.get(flight.id) is not flight:
                    continue  # answered
                del channel.pending[flight.id]
                if flight.tries <= self.retries:
                    counts.retries += 1
                    send(flight)
                    continue
                in_flight -= 1
                counts.timeouts += 1
                assert flight.at is not None
                yield Answer(flight.question, None, now - flight.began, flight.at, flight.tries)

    def close(self) -> None:
        for channels in self._channels.values():
            for channel in channels:
                self._selector.unregister(channel.sock)
                channel.sock.close()
        self._channels.clear()
        self._selector.close()


def _echoes(data: bytes, qwire: bytes) -> bool:
    """Whether `data` is a response with one question, `qwire` (names compared without
    regard to ASCII case, RFC 4343)."""
    if not data[2] & 0x80 or data[4:6] != b"\x00\x01":
        return False
    echoed = data[12 : 12 + len(qwire)]
    # Label lengths are below 64, so lowering both sides changes only letters.
    return echoed == qwire or echoed.lower() == qwire.lower()


def ask(
    questions: Iterable[Question],
    clock: Clock,
    concurrency: int = 200,
    timeout: float = 2.0,
    retries: int = 1,
    counts: Counts | None = None,
) -> Iterator[Answer]:
    """Every question's answer, as they come (a generator: the sockets close when it is
    exhausted or closed)."""
    prober = Prober(clock, concurrency, timeout, retries)
    try:
        yield from prober.ask(questions)
    finally:
        prober.close()
        if counts is not None:
            for name in vars(counts):
                setattr(counts, name, getattr(prober.counts, name))


def probe(
    questions: Sequence[Question],
    clock: Clock,
    concurrency: int = 200,
    timeout: float = 2.0,
    retries: int = 1,
    progress: Callable[[Answer], None] | None = None,
) -> list[Answer]:
    """Every question's answer, in the order asked (all held: for small runs and tests)."""
    out: dict[int, Answer] = {}
    indexed = (Question(q.resolver, q.name, q.rdtype, i) for i, q in enumerate(questions))
    for answer in ask(indexed, clock, concurrency, timeout, retries):
        original = questions[answer.question.ref]
        out[answer.question.ref] = Answer(original, answer.wire, answer.latency, answer.at,
                                          answer.tries)  # fmt: skip
        if progress is not None:
            progress(out[answer.question.ref])
    return [out[i] for i in range(len(questions))]
