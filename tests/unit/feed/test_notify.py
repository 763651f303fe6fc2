"""NOTIFY is retried until a resolver (here a real UDP socket on loopback) answers."""

from __future__ import annotations

import asyncio
from typing import cast

import dns.asyncquery
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype

from arret.feed.notify import Notifier, notify_message
from arret.rpz.zone import FeedSettings


class Resolver(asyncio.DatagramProtocol):
    """Drops the first `drop` NOTIFYs, then acknowledges with `rcode`."""

    def __init__(self, drop: int, rcode: int = dns.rcode.NOERROR) -> None:
        self.drop, self.rcode = drop, rcode
        self.seen: list[dns.message.Message] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        message = dns.message.from_wire(data)
        self.seen.append(message)
        if len(self.seen) <= self.drop:
            return
        answer = dns.message.make_response(message)
        answer.set_rcode(self.rcode)
        self.transport.sendto(answer.to_wire(), addr)


async def run(drop: int, rcode: int = dns.rcode.NOERROR) -> tuple[Resolver, Notifier]:
    loop = asyncio.get_running_loop()
    resolver = Resolver(drop, rcode)
    transport, _ = await loop.create_datagram_endpoint(
        lambda: resolver, local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def send(m: dns.message.Message, host: str, p: int) -> dns.message.Message:
        return await dns.asyncquery.udp(m, host, port=p, timeout=0.2)

    notifier = Notifier(FeedSettings(), send=send, sleep=no_sleep)
    notifier.announce("orange.rpz.arret.", 42, (f"127.0.0.1:{port}",))
    await asyncio.wait_for(notifier.drain(), 10)
    transport.close()
    notifier.waits = waits  # type: ignore[attr-defined]
    return resolver, notifier


def test_the_message_is_a_notify_with_the_new_soa() -> None:
    message = notify_message("orange.rpz.arret.", 42, FeedSettings())
    assert message.opcode() == dns.opcode.NOTIFY
    assert message.flags & dns.flags.AA and not message.flags & dns.flags.RD
    assert message.question[0].rdtype == dns.rdatatype.SOA
    assert message.answer[0][0].serial == 42  # type: ignore[attr-defined]


def test_a_notify_is_retried_with_backoff_until_acknowledged() -> None:
    resolver, notifier = asyncio.run(run(drop=3))
    assert len(resolver.seen) == 4
    assert [o.attempts for o in notifier.outcomes] == [4]
    assert notifier.waits == [1.0, 2.0, 4.0]  # type: ignore[attr-defined]
    assert {m.opcode() for m in resolver.seen} == {dns.opcode.NOTIFY}


def test_a_refusal_is_an_answer_and_ends_the_retries() -> None:
    resolver, notifier = asyncio.run(run(drop=0, rcode=dns.rcode.REFUSED))
    assert len(resolver.seen) == 1
    assert notifier.outcomes[0].rcode == "REFUSED"
