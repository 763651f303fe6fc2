"""Asking resolvers many questions at once: the network side of compliance probing.

One UDP socket per resolver carries every query to it, matched to its answer by the DNS
message ID (RFC 1035 §4.1.1) and the question (RFC 5452 §9.1: an answer must echo the
question, or it is someone else's); at most `concurrency` questions are in flight in
all. A question without an answer within `timeout` is asked again, up to `retries`
times, with a new ID; after that it is recorded as a timeout. Nothing here decides what
an answer means (`arret.probes.verdict` does); this module only moves bytes and times
them. Time comes from the caller's clock; latencies from the monotonic clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import dns.exception
import dns.message
import dns.rdatatype

from arret.domain.instants import Clock
from arret.rpz.resolvers import split_endpoint


@dataclass(frozen=True)
class Question:
    resolver: str  # HOST:PORT
    name: str  # without the trailing dot
    rdtype: str = "A"


@dataclass(frozen=True)
class Answer:
    question: Question
    #: None: no answer after every try.
    message: dns.message.Message | None
    #: Seconds from the last try's sending to its answer (or to giving up).
    latency: float
    #: When the question was (last) asked, from the caller's clock.
    at: datetime
    tries: int


class _Channel(asyncio.DatagramProtocol):
    """One socket to one resolver; answers are dispatched by message ID and question."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, tuple[dns.message.Message, asyncio.Future[dns.message.Message]]]
        self.pending = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            message = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return  # garbage is not an answer; the question times out and is retried
        waiting = self.pending.get(message.id)
        if waiting is None:
            return
        query, future = waiting
        if message.question != query.question or future.done():
            return  # RFC 5452 §9.1: not the answer to this question
        future.set_result(message)

    def error_received(self, exc: Exception) -> None:
        # An ICMP port unreachable (a resolver that is down) fails nothing in flight by
        # itself: the questions time out, which is the verdict `error` asks for.
        pass

    def new_id(self) -> int:
        while True:
            candidate = random.randrange(65536)
            if candidate not in self.pending:
                return candidate


class Prober:
    """Asks questions of resolvers with bounded concurrency, timeouts and retries."""

    def __init__(
        self,
        clock: Clock,
        concurrency: int = 200,
        timeout: float = 2.0,
        retries: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.clock = clock
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self._channels: dict[str, _Channel] = {}

    async def _channel(self, resolver: str) -> _Channel:
        channel = self._channels.get(resolver)
        if channel is None:
            host, port = split_endpoint(resolver)
            loop = asyncio.get_running_loop()
            _transport, channel = await loop.create_datagram_endpoint(
                _Channel, remote_addr=(host, port)
            )
            self._channels[resolver] = channel
        return channel

    async def ask(self, question: Question) -> Answer:
        channel = await self._channel(question.resolver)
        tries, latency, at = 0, 0.0, self.clock.now()
        while tries <= self.retries:
            tries += 1
            query = dns.message.make_query(question.name, dns.rdatatype.from_text(question.rdtype))
            query.id = channel.new_id()
            future: asyncio.Future[dns.message.Message] = asyncio.get_running_loop().create_future()
            channel.pending[query.id] = (query, future)
            at, began = self.clock.now(), time.monotonic()
            try:
                assert channel.transport is not None
                channel.transport.sendto(query.to_wire())
                message = await asyncio.wait_for(future, self.timeout)
                return Answer(question, message, time.monotonic() - began, at, tries)
            except TimeoutError:
                latency = time.monotonic() - began
            finally:
                channel.pending.pop(query.id, None)
        return Answer(question, None, latency, at, tries)

    async def ask_all(
        self,
        questions: Sequence[Question],
        progress: Callable[[Answer], None] | None = None,
    ) -> list[Answer]:
        """Every question's answer, in the order asked."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(question: Question) -> Answer:
            async with gate:
                answer = await self.ask(question)
            if progress is not None:
                progress(answer)
            return answer

        try:
            return list(await asyncio.gather(*(one(q) for q in questions)))
        finally:
            self.close()

    def close(self) -> None:
        for channel in self._channels.values():
            if channel.transport is not None:
                with contextlib.suppress(Exception):
                    channel.transport.close()
        self._channels.clear()


def probe(
    questions: Sequence[Question],
    clock: Clock,
    concurrency: int = 200,
    timeout: float = 2.0,
    retries: int = 1,
    progress: Callable[[Answer], None] | None = None,
) -> list[Answer]:
    """Ask every question (blocking: runs its own event loop)."""
    prober = Prober(clock, concurrency, timeout, retries)
    return asyncio.run(prober.ask_all(questions, progress))
