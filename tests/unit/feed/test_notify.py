"""NOTIFY is re-sent until the resolver has fetched the serial (a real UDP socket on
loopback plays the resolver; its fetches are reported to the delivery tracker as the DNS
server would). The schedule runs on a fixed clock moved by a fake `sleep`: nothing here
waits for the backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import dns.asyncquery
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from arret.domain.instants import FixedClock
from arret.feed.delivery import Tracker, address_of
from arret.feed.notify import BACKOFF, GIVE_UP_AFTER, Notifier, Outcome, notify_message
from arret.rpz.zone import FeedSettings

ZONE = "orange.rpz.arret."
START = datetime(2026, 11, 28, 12, tzinfo=UTC)

#: What the resolver does after acknowledging its n-th NOTIFY (1-based), as the DNS
#: server would report it to the tracker: (kind, served serial, client serial, complete).
Fetch = tuple[str, int | None, int | None, bool]


class Resolver(asyncio.DatagramProtocol):
    """Drops the first `drop` NOTIFYs, then acknowledges with `rcode`; after the n-th
    acknowledged one it 'fetches' as `plan[n]` says (several fetches: a list)."""

    def __init__(self, drop: int, rcode: int, plan: dict[int, list[Fetch]], tracker: Tracker,
                 clock: FixedClock, source: str) -> None:  # fmt: skip
        self.drop, self.rcode, self.plan = drop, rcode, plan
        self.tracker, self.clock, self.source = tracker, clock, source
        self.seen: list[dns.message.Message] = []
        self.acknowledged = 0

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
        self.acknowledged += 1
        for kind, served, client, complete in self.plan.get(self.acknowledged, []):
            self.tracker.saw(ZONE, "orange", self.source, kind, served, client,
                             self.clock.now(), complete)  # fmt: skip


class Run:
    def __init__(self) -> None:
        self.waits: list[float] = []
        self.probes = 0
        self.clock = FixedClock(START)
        self.tracker = Tracker()
        self.resolver: Resolver
        self.notifier: Notifier

    @property
    def outcome(self) -> Outcome:
        [outcome] = self.notifier.outcomes
        return outcome


def run(
    plan: dict[int, list[Fetch]] | None = None,
    drop: int = 0,
    rcode: int = dns.rcode.NOERROR,
    serial: int = 42,
    source: str = "127.0.0.1",
    before: Callable[[Run], None] | None = None,
    announce: Callable[[Notifier, str], None] | None = None,
    probed: list[int | None] | None = None,
) -> Run:
    """Announce `serial` to a resolver that answers as told; `probed`: what it answers to
    the notifier's SOA queries, in turn (then nothing)."""
    r = Run()
    probed = list(probed or [])

    async def main() -> None:
        loop = asyncio.get_running_loop()
        r.resolver = Resolver(drop, rcode, plan or {}, r.tracker, r.clock, source)
        transport, _ = await loop.create_datagram_endpoint(
            lambda: r.resolver, local_addr=("127.0.0.1", 0)
        )
        port = transport.get_extra_info("sockname")[1]

        async def fake_sleep(seconds: float) -> None:
            r.waits.append(seconds)
            r.clock.advance(timedelta(seconds=seconds))

        async def send(m: dns.message.Message, host: str, p: int) -> dns.message.Message:
            return await dns.asyncquery.udp(m, host, port=p, timeout=0.2)

        async def probe(zone: str, host: str, p: int) -> int | None:
            r.probes += 1
            return probed.pop(0) if probed else None

        r.notifier = Notifier(FeedSettings(), send=send, sleep=fake_sleep, clock=r.clock,
                              tracker=r.tracker, probe=probe)  # fmt: skip
        if before is not None:
            before(r)
        target = f"127.0.0.1:{port}"
        if announce is not None:
            announce(r.notifier, target)
        else:
            r.notifier.announce(ZONE, serial, (target,))
        await asyncio.wait_for(r.notifier.drain(), 20)
        transport.close()

    asyncio.run(main())
    return r


def axfr(serial: int = 42, complete: bool = True) -> Fetch:
    return ("axfr", serial, None, complete)


def soa(serial: int = 42) -> Fetch:
    return ("soa", serial, None, True)


def test_the_message_is_a_notify_with_the_new_soa() -> None:
    message = notify_message(ZONE, 42, FeedSettings())
    assert message.opcode() == dns.opcode.NOTIFY
    assert message.flags & dns.flags.AA and not message.flags & dns.flags.RD
    assert message.question[0].rdtype == dns.rdatatype.SOA
    assert message.answer[0][0].serial == 42  # type: ignore[attr-defined]


def test_a_resolver_that_fetches_at_once_gets_one_notify() -> None:
    r = run({1: [soa(), axfr()]})
    assert len(r.resolver.seen) == 1 and r.waits == []
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "axfr", 1)
    assert r.notifier.counts.delivered == {"orange": 1} and r.notifier.counts.resent == {}


def test_an_acknowledged_notify_not_followed_by_a_transfer_is_sent_again() -> None:
    # The resolver acknowledges every NOTIFY but fetches only after the third.
    r = run({3: [soa(), axfr()]})
    assert len(r.resolver.seen) == 3
    assert r.waits == [1.0, 2.0]
    assert (r.outcome.state, r.outcome.attempts) == ("delivered", 3)
    assert r.notifier.counts.resent == {"orange": 2}


def test_unanswered_notifies_are_retried_with_backoff_until_fetched() -> None:
    r = run({1: [axfr()]}, drop=3)
    assert len(r.resolver.seen) == 4
    assert r.waits == [1.0, 2.0, 4.0]
    assert (r.outcome.state, r.outcome.attempts, r.outcome.rcode) == ("delivered", 4, "NOERROR")
    assert {m.opcode() for m in r.resolver.seen} == {dns.opcode.NOTIFY}


def test_a_resolver_that_never_fetches_is_given_up_on_after_a_bounded_time() -> None:
    r = run({})
    assert r.outcome.state == "given-up"
    assert sum(r.waits) == GIVE_UP_AFTER.total_seconds()
    # 1, 2, 4 … then the cap, until the bound; never more than the cap at once.
    assert r.waits[: len(BACKOFF)] == list(BACKOFF) and max(r.waits) == BACKOFF[-1]
    # A NOTIFY after each wait but the last, which ends at the bound.
    assert len(r.resolver.seen) == r.outcome.attempts == len(r.waits)
    assert r.notifier.counts.given_up == {"orange": 1}
    assert r.notifier.gave_up[(ZONE, "127.0.0.1")] == (42, START + GIVE_UP_AFTER)
    assert r.notifier.pending == {}


def test_a_refusal_is_an_answer_and_ends_the_retries() -> None:
    r = run({}, rcode=dns.rcode.REFUSED)
    assert len(r.resolver.seen) == 1
    assert (r.outcome.state, r.outcome.rcode) == ("refused", "REFUSED")
    assert r.notifier.counts.refused == {"orange": 1}


def test_a_transfer_cut_short_is_not_delivery() -> None:
    r = run({1: [soa(), axfr(complete=False)], 2: [soa(), axfr()]})
    assert (r.outcome.state, r.outcome.attempts) == ("delivered", 2)


def test_an_ixfr_query_at_the_announced_serial_says_the_resolver_has_it() -> None:
    r = run({1: [("ixfr-current", 42, 42, True)]})
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "ixfr-current", 1)


def test_an_ixfr_over_udp_from_an_older_serial_is_not_delivery() -> None:
    r = run({1: [("ixfr-udp", 42, 41, True)], 2: [("ixfr", 42, 41, True)]})
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "ixfr", 2)


def test_a_newer_serial_fetched_counts_for_an_older_announcement() -> None:
    r = run({2: [axfr(43)]})
    assert (r.outcome.state, r.outcome.attempts) == ("delivered", 2)


def test_serials_compare_modulo_2_to_the_32() -> None:
    r = run({1: [axfr(5)]}, serial=2**32 - 5)
    assert r.outcome.state == "delivered"


def test_soa_queries_alone_count_only_twice_and_for_a_resolver_of_unknown_serial() -> None:
    # After a restart, a current resolver asks for the SOA and stops: twice is enough.
    r = run({1: [soa()], 2: [soa()]})
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "soa", 2)
    assert r.tracker.holds(ZONE, "127.0.0.1").serial == 42  # type: ignore[union-attr]


def test_soa_queries_from_a_resolver_known_to_be_behind_are_not_delivery() -> None:
    def behind(r: Run) -> None:
        r.tracker.saw(ZONE, "orange", "127.0.0.1", "axfr", 40, None, START - timedelta(hours=1))

    r = run({n: [soa()] for n in range(1, 40)}, before=behind)
    assert r.outcome.state == "given-up"


def test_a_transfer_attempt_after_the_notify_stops_the_soa_presumption() -> None:
    r = run({1: [soa(), axfr(complete=False)], 2: [soa()], 3: [soa()], 4: [soa(), axfr()]})
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "axfr", 4)


def test_another_address_does_not_confirm_delivery_but_another_port_does() -> None:
    assert address_of("127.0.0.1") == address_of("::ffff:127.0.0.1") == "127.0.0.1"
    r = run({1: [axfr()]}, source="127.0.0.2")
    assert r.outcome.state == "given-up"
    assert r.tracker.holds(ZONE, "127.0.0.2").serial == 42  # type: ignore[union-attr]


def test_a_newer_serial_supersedes_the_announcement_in_flight() -> None:
    def twice(notifier: Notifier, target: str) -> None:
        notifier.announce(ZONE, 41, (target,))
        notifier.announce(ZONE, 42, (target,))

    r = run({1: [axfr(42)]}, announce=twice)
    assert [(o.serial, o.state) for o in r.notifier.outcomes] == [(42, "delivered")]


def test_a_secondary_that_already_serves_the_serial_says_so_when_asked() -> None:
    # After a restart with nothing changed: it ignores the NOTIFY (its serial is not
    # older), and answers the SOA query before the first re-send with the serial.
    r = run({}, probed=[42])
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "probe", 1)
    assert r.waits == [1.0] and r.probes == 1


def test_a_secondary_that_serves_an_older_serial_is_told_again() -> None:
    r = run({3: [axfr()]}, probed=[41, 41])
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "axfr", 3)
    assert r.tracker.holds(ZONE, "127.0.0.1").serial == 42  # type: ignore[union-attr]


def test_the_probe_asks_the_resolver_itself_and_wants_an_authoritative_answer() -> None:
    from arret.feed.notify import ask_serial

    class Secondary(asyncio.DatagramProtocol):
        def __init__(self, aa: bool) -> None:
            self.aa = aa

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.DatagramTransport, transport)

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            query = dns.message.from_wire(data)
            assert not query.flags & dns.flags.RD
            answer = dns.message.make_response(query)
            if self.aa:
                answer.flags |= dns.flags.AA
            soa = "localhost. hostmaster.localhost. 77 60 30 1209600 60"
            answer.answer.append(dns.rrset.from_text(ZONE, 60, "IN", "SOA", soa))
            self.transport.sendto(answer.to_wire(), addr)

    async def ask(aa: bool) -> int | None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Secondary(aa), local_addr=("127.0.0.1", 0)
        )
        try:
            return await ask_serial(ZONE, "127.0.0.1", transport.get_extra_info("sockname")[1])
        finally:
            transport.close()

    assert asyncio.run(ask(True)) == 77
    assert asyncio.run(ask(False)) is None  # a recursive resolver's cached answer: no


def test_a_resolver_that_does_not_answer_the_probe_is_not_asked_again() -> None:
    r = run({4: [axfr()]}, probed=[None, 42])
    assert r.probes == 1
    assert (r.outcome.state, r.outcome.how, r.outcome.attempts) == ("delivered", "axfr", 4)


def test_resolvers_are_known_by_address_whatever_the_port_or_notation() -> None:
    from arret.feed.delivery import target_address

    assert target_address("[2001:db8::53]:53") == address_of("2001:DB8:0::53") == "2001:db8::53"
    assert target_address("192.0.2.53:5300") == address_of("192.0.2.53") == "192.0.2.53"
    assert address_of("::ffff:192.0.2.53") == "192.0.2.53"
    assert address_of("fe80::1%eth0") == "fe80::1"


def test_the_resolver_is_asked_once_more_before_giving_up() -> None:
    sends = len(run({}).waits)  # NOTIFYs sent before the bound, one per wait
    r = run({}, probed=[41] * (sends - 1) + [42])
    assert (r.outcome.state, r.outcome.how) == ("delivered", "probe")
    assert r.probes == sends and sum(r.waits) == GIVE_UP_AFTER.total_seconds()
