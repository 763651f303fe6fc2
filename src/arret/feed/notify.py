"""NOTIFY (RFC 1996): tell an operator's resolvers that its zone has a new serial, and
keep telling them until they have fetched it.

An acknowledged NOTIFY is not a delivery: the resolver still has to transfer the zone,
and that can fail. So after each NOTIFY the notifier watches what the resolver asks the
feed (`arret.feed.delivery.Tracker`, fed by the DNS server) and sends the NOTIFY again,
backing off from 1 s to 30 s, until the resolver is seen holding the announced serial or
a newer one — or gives up after `GIVE_UP_AFTER` (5 minutes: by then every resolver's own
refresh timer has run, BIND's minimum of 300 s included), logging it and counting it in
`/metrics`. A NOTIFY that gets no answer at all is retried on the same schedule (RFC 1996
§3.6 leaves the interval to the implementation).

Each (resolver, zone) pair has at most one announcement in flight; a newer serial
replaces an older one (the resolver will fetch the newest anyway). An answer with an
error rcode ends the re-sends — the resolver heard us and refused, and would refuse
again — and is logged as a warning.

Time comes from the injected clock and `sleep`, so tests drive the whole schedule
without waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from arret.domain.instants import Clock, SystemClock
from arret.feed.delivery import Held, Tracker, at_least, target_address
from arret.rpz import serial as serials
from arret.rpz.zone import FeedSettings
from arret.rpz.zonefile import soa_rdata

log = logging.getLogger("arret.notify")

#: Wait before the next try: 1, 2, 4 … 30 s.
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
#: Stop re-sending after this long, and count the announcement as given up.
GIVE_UP_AFTER = timedelta(minutes=5)
TIMEOUT = 2.0
#: A secondary on the path answers its SOA within this, or is not asked again.
PROBE_TIMEOUT = 0.5


def notify_message(zone: str, serial: int, settings: FeedSettings) -> dns.message.Message:
    """A NOTIFY for `zone`, carrying the new SOA as a hint (RFC 1996 §3.7)."""
    message = dns.message.make_query(zone, dns.rdatatype.SOA)
    message.flags = dns.flags.AA  # set flags before the opcode: make_query sets RD
    message.set_opcode(dns.opcode.NOTIFY)
    rrset = message.find_rrset(
        message.answer, message.question[0].name, dns.rdataclass.IN, dns.rdatatype.SOA,
        create=True,
    )  # fmt: skip
    rrset.add(dns.rdata.from_text("IN", "SOA", soa_rdata(serial, settings)), settings.ttl)
    return message


Send = Callable[[dns.message.Message, str, int], Awaitable[dns.message.Message]]
Sleep = Callable[[float], Awaitable[None]]
#: (zone, host, port) -> the serial the resolver itself serves for the zone, or None.
Probe = Callable[[str, str, int], Awaitable[int | None]]


async def _udp(message: dns.message.Message, host: str, port: int) -> dns.message.Message:
    return await dns.asyncquery.udp(message, host, port=port, timeout=TIMEOUT)


async def ask_serial(zone: str, host: str, port: int) -> int | None:
    """Ask the resolver itself for the zone's SOA: a secondary (Knot DNS, NSD, BIND's
    secondary zones) answers it authoritatively with the serial it serves. Anything
    else — no answer, not authoritative (Unbound keeps its RPZ to itself), refused —
    is None: it tells nothing."""
    query = dns.message.make_query(zone, dns.rdatatype.SOA)
    query.flags &= ~dns.flags.RD
    try:
        answer = await dns.asyncquery.udp(query, host, port=port, timeout=PROBE_TIMEOUT)
    except (dns.exception.DNSException, OSError, ValueError):
        return None
    if answer.rcode() != dns.rcode.NOERROR or not answer.flags & dns.flags.AA:
        return None
    for rrset in answer.answer:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.name == query.question[0].name and rrset:
            return int(rrset[0].serial)
    return None


@dataclass
class Outcome:
    """How one announcement ended."""

    target: str
    zone: str
    serial: int
    #: The last answer to the NOTIFY itself ("" when none came).
    rcode: str
    attempts: int
    #: delivered, given-up or refused.
    state: str = "delivered"
    #: The evidence of delivery (`Held.how`), when delivered.
    how: str = ""
    #: Seconds from the first NOTIFY to the evidence of delivery, or to giving up.
    after: float = 0.0


@dataclass
class Pending:
    """An announcement in flight, for the operator's page."""

    serial: int
    since: datetime
    attempts: int = 0
    last_sent: datetime | None = None


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


@dataclass
class Counts:
    """Per operator, since start (for `/metrics`)."""

    sent: dict[str, int] = field(default_factory=dict)
    resent: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    given_up: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def add(counter: dict[str, int], operator: str) -> None:
        counter[operator] = counter.get(operator, 0) + 1


class Notifier:
    """Announces new serials to resolvers, re-sending each until the resolver has
    fetched it (or until `give_up_after`)."""

    def __init__(
        self,
        settings: FeedSettings,
        send: Send = _udp,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
        tracker: Tracker | None = None,
        backoff: tuple[float, ...] = BACKOFF,
        give_up_after: timedelta = GIVE_UP_AFTER,
        probe: Probe = ask_serial,
    ) -> None:
        self.settings = settings
        self.send = send
        self.probe = probe
        self.sleep = sleep
        self.clock: Clock = clock or SystemClock()
        self.tracker = tracker or Tracker()
        self.backoff = backoff
        self.give_up_after = give_up_after
        self.tasks: dict[tuple[str, str], asyncio.Task[Outcome]] = {}
        self.outcomes: deque[Outcome] = deque(maxlen=256)
        self.pending: dict[tuple[str, str], Pending] = {}
        #: (zone, resolver address) -> (serial, when) of the last announcement given up,
        #: until a later one is delivered.
        self.gave_up: dict[tuple[str, str], tuple[int, datetime]] = {}
        self.counts = Counts()
        #: While held (`hold`), the newest serial of each zone to announce, and to whom.
        self.held: dict[str, tuple[int, tuple[str, ...]]] | None = None
        self._wakers: dict[tuple[str, str], set[asyncio.Event]] = {}
        self.tracker.listeners.append(self._wake)

    def operator_of(self, zone: str) -> str:
        suffix = "." + self.settings.origin
        return zone[: -len(suffix)] if zone.endswith(suffix) else zone

    def _wake(self, zone: str, address: str) -> None:
        for event in self._wakers.get((zone, address), ()):
            event.set()

    def hold(self) -> None:
        """Keep announcements back until `release`: a feed server holds them until it
        listens, since a secondary told of a serial it cannot fetch yet stays on the old
        one until its refresh timer."""
        if self.held is None:
            self.held = {}

    def release(self) -> None:
        """Send what was held back (the newest serial of each zone) and stop holding."""
        held, self.held = self.held or {}, None
        for zone, (serial, targets) in held.items():
            self.announce(zone, serial, targets)

    def announce(self, zone: str, serial: int, targets: tuple[str, ...]) -> None:
        if self.held is not None:
            self.held[zone] = (serial, targets)
            return
        for target in targets:
            key = (target, zone)
            running = self.tasks.get(key)
            if running is not None and not running.done():
                running.cancel()  # a newer serial supersedes it
            self.tasks[key] = asyncio.create_task(self._deliver(target, zone, serial))

    async def _notify(self, target: str, zone: str, serial: int) -> str | None:
        """Send one NOTIFY; the rcode of its answer, or None when none came."""
        host, _, port = target.rpartition(":")
        message = notify_message(zone, serial, self.settings)
        try:
            answer = await self.send(message, host.strip("[]"), int(port))
        except (dns.exception.DNSException, OSError) as exc:
            log.info("NOTIFY %s serial %d to %s: no answer (%s)", zone, serial, target,
                     exc.__class__.__name__)  # fmt: skip
            return None
        return dns.rcode.to_text(answer.rcode())

    async def _deliver(self, target: str, zone: str, serial: int) -> Outcome:
        operator = self.operator_of(zone)
        address = target_address(target)
        since = self.clock.now()
        woken = asyncio.Event()
        self._wakers.setdefault((zone, address), set()).add(woken)
        state = self.pending[(target, zone)] = Pending(serial, since)
        rcode = ""
        waited, limit = 0.0, self.give_up_after.total_seconds()
        probing = True
        try:
            while True:
                state.attempts += 1
                state.last_sent = self.clock.now()
                Counts.add(self.counts.sent if state.attempts == 1 else self.counts.resent,
                           operator)  # fmt: skip
                answered = await self._notify(target, zone, serial)
                if answered is not None:
                    rcode = answered
                if answered not in (None, "NOERROR"):
                    log.warning("NOTIFY %s serial %d refused by %s: %s", zone, serial, target,
                                answered)  # fmt: skip
                    Counts.add(self.counts.refused, operator)
                    return self._done(Outcome(target, zone, serial, rcode, state.attempts,
                                              "refused"), since)  # fmt: skip
                # Time is counted in what was waited (the sleeps, and the clock while woken
                # early), so a clock that stands still cannot stop the schedule.
                left = self.backoff[min(state.attempts - 1, len(self.backoff) - 1)]
                while True:
                    held = self.tracker.delivered(zone, address, serial, since)
                    if held is not None:
                        return self._delivered(target, zone, serial, rcode, state, held, since)
                    step = min(left, limit - waited)
                    if step <= 0:
                        break
                    woken.clear()
                    before = self.clock.now()
                    if await self._wait(step, woken):
                        step = min(step, (self.clock.now() - before).total_seconds())
                    left -= step
                    waited += step
                # Before telling it again (or giving up), ask it: a secondary that already
                # serves the serial — current before this process started, it ignores a
                # NOTIFY for a serial it holds, silently — says so. One that does not
                # answer authoritatively (a recursive resolver such as Unbound, or one
                # that refuses the query) is not asked again for this serial: each try
                # would hold the next NOTIFY back by up to the probe's timeout.
                if probing:
                    host, _, port = target.rpartition(":")
                    served = await self.probe(zone, host.strip("[]"), int(port))
                    probing = served is not None
                    if served is not None:
                        self.tracker.saw(zone, operator, address, "probe", None, served,
                                         self.clock.now())  # fmt: skip
                        held = self.tracker.delivered(zone, address, serial, since)
                        if held is not None:
                            return self._delivered(target, zone, serial, rcode, state, held,
                                                   since)  # fmt: skip
                if waited >= limit:
                    return self._give_up(target, zone, serial, rcode, state, since)
                log.info("NOTIFY %s serial %d to %s: not fetched yet, sending again (%d)",
                         zone, serial, target, state.attempts + 1)  # fmt: skip
        finally:
            waiting = self._wakers.get((zone, address))
            if waiting is not None:
                waiting.discard(woken)
                if not waiting:
                    del self._wakers[(zone, address)]
            if self.pending.get((target, zone)) is state:
                del self.pending[(target, zone)]

    async def _wait(self, seconds: float, woken: asyncio.Event) -> bool:
        """Sleep `seconds`, or less if the tracker saw the resolver meanwhile (True)."""
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        waker = asyncio.ensure_future(woken.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
        return not sleeper.done() or sleeper.cancelled()

    def _done(self, outcome: Outcome, since: datetime) -> Outcome:
        outcome.after = (self.clock.now() - since).total_seconds()
        self.outcomes.append(outcome)
        return outcome

    def _delivered(
        self, target: str, zone: str, serial: int, rcode: str, state: Pending, held: Held,
        since: datetime,
    ) -> Outcome:  # fmt: skip
        operator = self.operator_of(zone)
        Counts.add(self.counts.delivered, operator)
        self.gave_up.pop((zone, target_address(target)), None)
        outcome = self._done(Outcome(target, zone, serial, rcode, state.attempts, "delivered",
                                     held.how), since)  # fmt: skip
        log.info("NOTIFY %s serial %d to %s: fetched (%s, serial %d) %.1f s after the first "
                 "NOTIFY, %d sent", zone, serial, target, held.how, held.serial, outcome.after,
                 state.attempts)  # fmt: skip
        return outcome

    def _give_up(
        self, target: str, zone: str, serial: int, rcode: str, state: Pending, since: datetime
    ) -> Outcome:
        operator = self.operator_of(zone)
        Counts.add(self.counts.given_up, operator)
        address = target_address(target)
        self.gave_up[(zone, address)] = (serial, self.clock.now())
        held = self.tracker.holds(zone, address)
        seen = f"it was last seen holding serial {held.serial}" if held else "it was never seen"
        log.warning("NOTIFY %s serial %d to %s: given up after %d NOTIFYs in %s: the resolver "
                    "did not fetch it from %s (%s)", zone, serial, target, state.attempts,
                    self.give_up_after, address, seen)  # fmt: skip
        return self._done(Outcome(target, zone, serial, rcode, state.attempts, "given-up"), since)

    def resolvers(
        self, serial_of: Callable[[str], int | None], operator: str | None = None
    ) -> list[ResolverState]:
        """Every resolver seen fetching a zone or told of one since start (of `operator`
        only, when given), sorted by operator and address; `serial_of` gives a zone's
        serial now (None: not loaded)."""
        rows: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

        def row(zone: str, address: str) -> dict[str, Any]:
            op = self.operator_of(zone)
            if operator is not None and op != operator:
                return {}  # not kept
            return rows.setdefault((op, address), (zone, {}))[1]

        for zone, address, contact in self.tracker:
            row(zone, address)["held"] = contact.held
        for (target, zone), pending in self.pending.items():
            row(zone, target_address(target))["pending"] = (target, pending)
        for (zone, address), gave_up in self.gave_up.items():
            row(zone, address)["gave_up"] = gave_up
        return [
            ResolverState(op, address, current=serial_of(zone), **found)
            for (op, address), (zone, found) in sorted(rows.items())
        ]

    async def drain(self) -> None:
        """Wait for every announcement in flight (tests, shutdown)."""
        for task in list(self.tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
