"""NOTIFY (RFC 1996): tell an operator's resolvers that its zone has a new serial, and
keep telling them until they acknowledge.

Each (resolver, zone) pair has at most one announcement in flight; a newer serial
replaces an older one that has not been acknowledged yet (the resolver will fetch the
newest anyway). Retries back off from 1 s to 60 s (RFC 1996 §3.6 leaves the interval to
the implementation; BIND starts at a few seconds). An answer with an error rcode is an
acknowledgement too — the resolver heard us and refused — and is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from arret.rpz.zone import FeedSettings
from arret.rpz.zonefile import soa_rdata

log = logging.getLogger("arret.notify")

#: Wait before the next try: 1, 2, 4 … 60 s.
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0)
TIMEOUT = 2.0


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


async def _udp(message: dns.message.Message, host: str, port: int) -> dns.message.Message:
    return await dns.asyncquery.udp(message, host, port=port, timeout=TIMEOUT)


@dataclass
class Outcome:
    target: str
    zone: str
    serial: int
    rcode: str
    attempts: int


class Notifier:
    """Announces new serials to resolvers, retrying each until acknowledged."""

    def __init__(
        self, settings: FeedSettings, send: Send = _udp, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.settings = settings
        self.send = send
        self.sleep = sleep
        self.tasks: dict[tuple[str, str], asyncio.Task[Outcome]] = {}
        self.outcomes: list[Outcome] = []

    def announce(self, zone: str, serial: int, targets: tuple[str, ...]) -> None:
        for target in targets:
            key = (target, zone)
            running = self.tasks.get(key)
            if running is not None and not running.done():
                running.cancel()  # a newer serial supersedes it
            self.tasks[key] = asyncio.create_task(self._deliver(target, zone, serial))

    async def _deliver(self, target: str, zone: str, serial: int) -> Outcome:
        host, _, port = target.rpartition(":")
        host = host.strip("[]")
        attempt = 0
        while True:
            attempt += 1
            message = notify_message(zone, serial, self.settings)
            try:
                answer = await self.send(message, host, int(port))
            except (dns.exception.DNSException, OSError) as exc:
                wait = BACKOFF[min(attempt - 1, len(BACKOFF) - 1)]
                log.info("NOTIFY %s serial %d to %s: %s; retry in %.0f s",
                         zone, serial, target, exc.__class__.__name__, wait)  # fmt: skip
                await self.sleep(wait)
                continue
            rcode = dns.rcode.to_text(answer.rcode())
            if answer.rcode() != dns.rcode.NOERROR:
                log.warning("NOTIFY %s serial %d refused by %s: %s", zone, serial, target, rcode)
            outcome = Outcome(target, zone, serial, rcode, attempt)
            self.outcomes.append(outcome)
            return outcome

    async def drain(self) -> None:
        """Wait for every announcement in flight (tests, shutdown)."""
        for task in list(self.tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
