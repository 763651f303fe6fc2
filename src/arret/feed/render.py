"""Transfers rendered straight to wire format (RFC 1035 §4.1), without per-record
dnspython objects, which take ~36 s for a million-name zone (measured here).

Every message of a transfer repeats the question (RFC 5936 §2.2.1 allows it), so the zone
origin is always at offset 12 and every owner name is its relative labels followed by the
2-octet compression pointer 0xC00C (RFC 1035 §4.1.4). A record whose owner is `*.leak.example`
under `orange.rpz.arret.` is therefore `\\x01*\\x04leak\\x07example\\xc0\\x0c` followed by a
fixed tail per action (type, class, TTL, rdata): the per-record work is one join.

Record bytes are packed into messages of at most `LIMIT` octets (leaving room for a TSIG
record under the 65,535 of RFC 1035 §4.2.2). The packed bodies of a full zone are kept per
zone and serial (`BodyCache`, one per feed: `arret.feed.cache.DatabaseFeed.bodies`), so a
second AXFR of the same version only adds headers and signatures.

Nothing here is kept at module level: the caches and counters are objects their owner
creates.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from arret.domain.model import Action
from arret.rpz.zone import PASSTHRU, PASSTHRU_KIND, Entry, FeedSettings, action_target, servable

log = logging.getLogger("arret.feed")

TYPE_NS, TYPE_CNAME, TYPE_SOA, CLASS_IN = 2, 5, 6, 1
LIMIT = 65535 - 512
POINTER = b"\xc0\x0c"


def name_wire(name: str) -> bytes:
    """An absolute name, uncompressed."""
    labels = [label.encode("ascii") for label in name.rstrip(".").split(".") if label]
    return b"".join(bytes((len(label),)) + label for label in labels) + b"\x00"


def _record(rtype: int, ttl: int, rdata: bytes) -> bytes:
    return struct.pack("!HHIH", rtype, CLASS_IN, ttl, len(rdata)) + rdata


@dataclass(frozen=True)
class Parts:
    """The fixed pieces of one zone's records."""

    tails: dict[str, bytes]
    ns: bytes
    settings: FeedSettings

    @classmethod
    def of(cls, settings: FeedSettings) -> Parts:
        targets = {a.value: action_target(a, settings) for a in Action}
        targets[PASSTHRU_KIND] = PASSTHRU
        tails = {k: _record(TYPE_CNAME, settings.ttl, name_wire(t)) for k, t in targets.items()}
        return cls(
            tails, POINTER + _record(TYPE_NS, settings.ttl, name_wire(settings.ns)), settings
        )

    def soa(self, serial: int) -> bytes:
        s = self.settings
        rdata = name_wire(s.mname) + name_wire(s.rname)
        rdata += struct.pack("!IIIII", serial, s.refresh, s.retry, s.expire, s.minimum)
        return POINTER + _record(TYPE_SOA, s.ttl, rdata)


_length = [bytes((n,)) for n in range(64)]


class Refusals:
    """Owners the renderer refused to put on the wire, per zone, since the process started
    (`/metrics`: `arret_feed_refused_owners`)."""

    def __init__(self) -> None:
        self.by_zone: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, zone: str, count: int) -> None:
        with self._lock:
            self.by_zone[zone] += count


def entry_records(
    entries: Sequence[Entry], parts: Parts, zone: str, refusals: Refusals
) -> Iterator[bytes]:
    """Each entry's record, for the zone `zone`; an owner that is no QNAME trigger of a
    site, or too long for the wire, is left out, reported at ERROR and counted in
    `refusals`.

    Entry refuses such names; one here came some other way (a row written by hand, a
    database from before a check). Leaving it out, not failing the transfer, is the
    choice: one unparseable owner would make the whole zone unreadable to every resolver
    of the operator, which then stop blocking everything, while the owner alone was never
    meant to be blocked as it reads. `arret log verify --zone` still shows the zone
    differing from its logged digest."""
    entries, refused = servable(entries, zone)
    if refused:
        refusals.add(zone, len(refused))
        for owner, problem in refused:
            log.error("feed %s: owner %r left out of the transfer: %s", zone, owner, problem)
    tails, lengths = parts.tails, _length
    for owner, kind in entries:
        labels = owner.encode("ascii").split(b".")
        yield b"".join([piece for label in labels for piece in (lengths[len(label)], label)]) + (
            POINTER + tails[kind]
        )


@dataclass(frozen=True)
class Body:
    """Answer records packed into message bodies: (record count, bytes) per message."""

    chunks: tuple[tuple[int, bytes], ...]

    @property
    def size(self) -> int:
        return sum(len(chunk) for _, chunk in self.chunks)


def pack(records: Iterable[bytes], room: int) -> Body:
    return Body(tuple(packed(records, room)))


def packed(records: Iterable[bytes], room: int) -> Iterator[tuple[int, bytes]]:
    """Records packed into message bodies of at most `room` octets, each as it fills."""
    batch: list[bytes] = []
    size = 0
    for record in records:
        if size + len(record) > room and batch:
            yield len(batch), b"".join(batch)
            batch, size = [], 0
        batch.append(record)
        size += len(record)
    if batch:
        yield len(batch), b"".join(batch)


def messages(
    qid: int, flags: int, question: bytes, chunks: Iterable[tuple[int, bytes]]
) -> Iterator[bytes]:
    """Full messages (without TSIG): header, the question, the packed answers; each made
    when asked for."""
    for count, chunk in chunks:
        yield struct.pack("!HHHHHH", qid, flags, 1, count, 0, 0) + question + chunk


class BodyCache:
    """Packed bodies of full zones, rendered once per version and bounded by their size.

    Only the newest serial of each zone is kept (a transfer already under way holds its
    own reference to the body it sends), and the bodies kept add up to at most `budget`
    octets: the least recently used zone goes first. A body larger than the budget is
    rendered for its transfer and not kept. Owners left out while rendering are counted in
    `refusals`."""

    def __init__(self, budget: int = 256 * 1024 * 1024, refusals: Refusals | None = None) -> None:
        self._bodies: OrderedDict[tuple[str, int], tuple[int, Body]] = OrderedDict()
        self._lock = threading.Lock()
        self.budget = budget
        self.size = 0
        self.refusals = refusals if refusals is not None else Refusals()

    def full_zone(
        self, zone: str, serial: int, entries: Sequence[Entry], parts: Parts, room: int
    ) -> Iterator[tuple[int, bytes]]:
        """The zone's packed bodies: the kept ones, or rendered one message at a time —
        the first is on the wire while the rest is rendered (a million names take seconds,
        more than a secondary such as Knot DNS waits for a first answer) — and kept once
        the last is made."""
        key = (zone, room)
        with self._lock:
            found = self._bodies.get(key)
            if found is not None and found[0] == serial:
                self._bodies.move_to_end(key)
                return iter(found[1].chunks)
        return self._render(key, serial, entries, parts, room)

    def _render(
        self,
        key: tuple[str, int],
        serial: int,
        entries: Sequence[Entry],
        parts: Parts,
        room: int,
    ) -> Iterator[tuple[int, bytes]]:
        soa = parts.soa(serial)

        def records() -> Iterator[bytes]:
            yield soa
            yield parts.ns
            yield from entry_records(entries, parts, key[0], self.refusals)
            yield soa

        chunks = []
        for chunk in packed(records(), room):
            chunks.append(chunk)
            yield chunk
        self._keep(key, serial, Body(tuple(chunks)))

    def _keep(self, key: tuple[str, int], serial: int, body: Body) -> None:
        with self._lock:
            old = self._bodies.pop(key, None)
            if old is not None:
                self.size -= old[1].size
            if body.size <= self.budget:
                while self._bodies and self.size + body.size > self.budget:
                    _, (_, evicted) = self._bodies.popitem(last=False)
                    self.size -= evicted.size
                self._bodies[key] = (serial, body)
                self.size += body.size
