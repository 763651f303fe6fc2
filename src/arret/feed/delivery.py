"""What each resolver holds of each operator's zone, as far as the feed can see it.

A NOTIFY that a resolver acknowledges is not a delivery: the resolver still has to come
back and fetch the zone, and that fetch can fail (before this module existed, `arret
serve` sent NOTIFY before its TCP listener accepted at start-up; secondaries failed to
connect and waited for their refresh timer, five minutes and more for BIND). So the feed
watches what every resolver asks *it* and keeps, per operator zone and resolver, the
serial that resolver last fetched; the notifier re-sends NOTIFY until that serial has
reached the one announced (`arret.feed.notify`).

**Matching.** A resolver is known by its IP address alone. It sends its SOA query,
IXFR and AXFR from ports of its own choosing, never from the port it receives NOTIFY on,
so ports are ignored; IPv4-mapped IPv6 addresses count as the IPv4 address. A resolver
that transfers from an address other than its NOTIFY target's is not recognised: its
NOTIFY is re-sent until given up (declare the address it transfers from). Two NOTIFY
targets on one address are one resolver here: a transfer by either confirms both.

**What counts as holding serial S** (each decision is written where it is made):

- a completed AXFR or IXFR (or IXFR answered with the full zone) of serial S: the data
  went out whole on the connection;
- an IXFR query whose SOA (the client's own, RFC 1995 §3) is S or newer, over TCP or UDP:
  the client states what it holds, the strongest evidence there is short of a transfer;
- the resolver's own authoritative answer to a SOA query the notifier sends it before
  each re-send (secondaries answer it; Unbound does not): it serves that serial;
- a SOA query alone is **not** delivery — a resolver that is behind asks for the SOA and
  then transfers, and the transfer can fail where the SOA query succeeded. Only when
  nothing else is known of that resolver (this process started after its last transfer)
  do two SOA answers of S or newer, after a NOTIFY for S and with no transfer attempt in
  between, count: a resolver that still lacked S would have tried to transfer after the
  first one or the second; see `Tracker.delivered`.

The state is in memory: the feed process learns it again from the next transfers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from arret.rpz import serial as serials

#: Resolvers remembered at most (the oldest contact is forgotten first). Only queries the
#: feed answered for an operator count, so this is many times what any deployment has.
MAX_RESOLVERS = 4096
#: SOA answers kept per resolver (the presumption of currency needs two).
SOA_KEPT = 4

#: Transfer kinds that carry the zone's data to the client.
TRANSFERS = ("axfr", "ixfr", "ixfr-axfr")


def address_of(source: str) -> str:
    """The resolver's identity: its IP address, canonical, IPv4-mapped IPv6 as IPv4."""
    host = source
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:  # IPv4:port
        host = host.split(":")[0]
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return source
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def target_address(target: str) -> str:
    """The address of a NOTIFY target `IP:PORT` or `[IPv6]:PORT`."""
    host, _, _port = target.rpartition(":")
    return address_of(host.strip("[]") if host else target)


def at_least(held: int, wanted: int) -> bool:
    """RFC 1982: is `held` the serial `wanted` or a later one?"""
    return held == wanted or serials.greater(held, wanted)


@dataclass(frozen=True)
class Held:
    """What one resolver holds of one zone, and how the feed knows it."""

    operator: str
    serial: int
    at: datetime
    #: axfr, ixfr, ixfr-axfr: transferred; ixfr-current / ixfr-udp / ixfr-query: the
    #: client's IXFR query said so; probe: the resolver answered our SOA query with it,
    #: authoritatively; soa: presumed after two SOA queries and no transfer.
    how: str


@dataclass
class Contact:
    operator: str
    held: Held | None = None
    #: (when, serial answered) of its latest SOA queries.
    soa: list[tuple[datetime, int]] = field(default_factory=list)
    #: When it last asked for a transfer that would carry data (whether or not the data
    #: then went out whole).
    attempted: datetime | None = None
    last_seen: datetime | None = None


class Tracker:
    """Per (zone, resolver address): the latest evidence of the serial it holds. Fed
    by the DNS server (in its event loop) with what each answered query showed."""

    def __init__(self, limit: int = MAX_RESOLVERS) -> None:
        self.limit = limit
        self.contacts: dict[tuple[str, str], Contact] = {}
        #: Called with (zone, address) after each change: wakes a NOTIFY waiting for it.
        self.listeners: list[Callable[[str, str], None]] = []

    def _contact(self, zone: str, address: str, operator: str, at: datetime) -> Contact:
        key = (zone, address)
        contact = self.contacts.get(key)
        if contact is None:
            if len(self.contacts) >= self.limit:
                oldest = min(self.contacts, key=lambda k: self.contacts[k].last_seen or at)
                del self.contacts[oldest]
            contact = self.contacts[key] = Contact(operator)
        contact.last_seen = at
        return contact

    def _changed(self, zone: str, address: str) -> None:
        for listener in self.listeners:
            listener(zone, address)

    def saw(
        self,
        zone: str,
        operator: str,
        source: str,
        kind: str,
        served: int | None,
        client: int | None,
        at: datetime,
        complete: bool = True,
    ) -> None:
        """Record an answered query of `kind` (the responder's outcome kind) from
        `source`. `served`: the serial answered or transferred; `client`: the serial an
        IXFR query carried, or (kind "probe") the one the resolver serves; `complete`:
        False when a transfer's data did not all go out (the connection broke)."""
        address = address_of(source)
        contact = self._contact(zone, address, operator, at)
        if kind == "soa" and served is not None:
            # Knowing our serial is not holding it: kept only for the presumption below.
            contact.soa = [*contact.soa[-(SOA_KEPT - 1) :], (at, served)]
        elif kind in TRANSFERS:
            contact.attempted = at
            if client is not None:
                # An IXFR from `client`: until the data has gone out, that is what it has.
                contact.held = Held(operator, client, at, "ixfr-query")
            if complete and served is not None:
                contact.held = Held(operator, served, at, kind)
        elif kind == "probe" and client is not None:
            # The resolver itself answered, authoritatively, that it serves this serial.
            contact.held = Held(operator, client, at, kind)
        elif kind in ("ixfr-current", "ixfr-udp") and client is not None:
            # The client's own SOA in its IXFR query: it holds that serial (RFC 1995 §3).
            # When it equals ours it already has everything; when older (an IXFR over
            # UDP, answered "use TCP"), it shows the client is behind.
            contact.held = Held(operator, client, at, kind)
        else:
            return
        self._changed(zone, address)

    def holds(self, zone: str, address: str) -> Held | None:
        contact = self.contacts.get((zone, address))
        return contact.held if contact is not None else None

    def delivered(self, zone: str, address: str, serial: int, since: datetime) -> Held | None:
        """What shows that the resolver at `address` holds `serial` of `zone` (or newer),
        counting only SOA answers made after `since` (the first NOTIFY for it); None when
        nothing does yet."""
        contact = self.contacts.get((zone, address))
        if contact is None:
            return None
        if contact.held is not None:
            if at_least(contact.held.serial, serial):
                return contact.held
            if contact.held.how != "soa":
                # Known to hold an older serial: only a transfer (or an IXFR query saying
                # it caught up some other way) will do.
                return None
        if contact.attempted is not None and contact.attempted >= since:
            # It tried to transfer after this NOTIFY, and the data did not all go out.
            return None
        answered = [at for at, s in contact.soa if at >= since and at_least(s, serial)]
        if len(answered) < 2:
            return None
        # Nothing else known of it (this process started after its last transfer) or only
        # an earlier presumption: it asked for the SOA twice after the NOTIFY, was told S
        # both times, and never asked for the data. A resolver that lacked S transfers
        # right after the SOA query (BIND, Knot and NSD all do), and a failed attempt
        # would be retried after the second NOTIFY — where we would see it.
        held = Held(contact.operator, serial, answered[-1], "soa")
        contact.held = held
        return held

    def __iter__(self) -> Iterator[tuple[str, str, Contact]]:
        for (zone, address), contact in sorted(self.contacts.items()):
            yield zone, address, contact
