"""Transfers rendered straight to wire format (RFC 1035 §4.1), without per-record
dnspython objects, which take ~36 s for a million-name zone (measured here).

Every message of a transfer repeats the question (RFC 5936 §2.2.1 allows it), so the zone
origin is always at offset 12 and every owner name is its relative labels followed by the
2-octet compression pointer 0xC00C (RFC 1035 §4.1.4). A record whose owner is `*.leak.example`
under `orange.rpz.arret.` is therefore `\\x01*\\x04leak\\x07example\\xc0\\x0c` followed by a
fixed tail per action (type, class, TTL, rdata): the per-record work is one join.

Record bytes are packed into messages of at most `LIMIT` octets (leaving room for a TSIG
record under the 65,535 of RFC 1035 §4.2.2). A full zone's records are rendered per chunk
of its entries (`render_chunk`, a few array operations per chunk) and kept per chunk
(`RenderCache`, one per feed: `arret.feed.cache.DatabaseFeed.renders`), shared by every
zone and version holding the chunk: a transfer slices them into messages and adds
headers and signatures.

Nothing here is kept at module level: the caches and counters are objects their owner
creates.
"""

from __future__ import annotations

import itertools
import logging
import struct
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from arret.domain.model import Action
from arret.domain.triggers import SPECIAL_USE
from arret.rpz.zone import (
    CHUNK,
    PASSTHRU,
    PASSTHRU_KIND,
    Entry,
    FeedSettings,
    ZoneEntries,
    action_target,
    servable,
)

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


#: Records back to back, and the offset after each (`Rendered.wire`, `Rendered.ends`).
Run = tuple[bytes, "npt.NDArray[np.int32]"]


def packed_runs(runs: Iterable[Run], room: int) -> Iterator[tuple[int, bytes]]:
    """What `packed` makes of the same records, given as runs of records already joined:
    each message takes as many whole records as fit (found by bisecting the run's ends),
    sliced out of the run, not one record at a time."""
    pieces: list[memoryview] = []
    count = size = 0
    for wire, ends in runs:
        view = memoryview(wire)
        total = len(ends)
        k = offset = 0
        while k < total:
            j = int(np.searchsorted(ends, offset + room - size, side="right"))
            if j <= k:  # the next record does not fit in what is left of this message
                if pieces:
                    yield count, b"".join(pieces)
                    pieces, count, size = [], 0, 0
                    continue
                j = k + 1  # larger than a message on its own: alone, as `packed` does
            end = int(ends[j - 1])
            pieces.append(view[offset:end])
            count += j - k
            size += end - offset
            offset, k = end, j
    if pieces:
        yield count, b"".join(pieces)


def single(record: bytes) -> Run:
    return record, np.array([len(record)], np.int32)


def joined(records: Sequence[bytes]) -> Run:
    return b"".join(records), np.fromiter(
        itertools.accumulate(map(len, records)), np.int32, len(records)
    )


def messages(
    qid: int, flags: int, question: bytes, chunks: Iterable[tuple[int, bytes]]
) -> Iterator[bytes]:
    """Full messages (without TSIG): header, the question, the packed answers; each made
    when asked for."""
    for count, chunk in chunks:
        yield struct.pack("!HHHHHH", qid, flags, 1, count, 0, 0) + question + chunk


@dataclass(frozen=True, slots=True)
class Rendered:
    """A chunk of a zone's entries as records on the wire: `wire` holds them back to back,
    record i ending at `ends[i]`. The same under any zone, since every owner ends in the
    pointer to the question's name; but servable only under a zone whose name leaves room
    within 255 octets for `longest`, the longest owner's text (`fits`)."""

    wire: bytes
    ends: npt.NDArray[np.int32]
    longest: int

    @property
    def size(self) -> int:
        return len(self.wire) + self.ends.nbytes

    def fits(self, zone: str) -> bool:
        """Whether every owner is within 255 octets under `zone` (see `owner_problem`)."""
        return self.longest + len(zone) + 2 <= 255


_OWNER, _KIND = itemgetter(0), itemgetter(1)
#: Each owner is written "|owner~": "|" and each "." become the length of the label that
#: follows; "~" becomes the record's pointer and tail. Neither can be in a well-formed
#: owner, nor equal a label's length (1 to 63).
_LEAD, _END, _DOT, _STAR = ord("|"), ord("~"), ord("."), ord("*")
#: Octets no owner's text may hold (not a lowercase letter, digit, hyphen, dot or "*").
_BAD = np.array(sorted(set(range(256)) - set(b"abcdefghijklmnopqrstuvwxyz0123456789-.*|~")))


def _top_key(length: int, start: bytes) -> int:
    """A top label's length and first three octets as one number (`render_chunk`)."""
    first = start.ljust(3, b"\0")
    return length << 24 | first[0] << 16 | first[1] << 8 | first[2]


#: The special-use top labels, as `_top_key`s: a top with another key is not one of them.
_SPECIAL_KEYS = np.array([_top_key(len(top), top[:3].encode()) for top in sorted(SPECIAL_USE)])


def render_chunk(entries: Sequence[Entry], parts: Parts) -> Rendered | None:
    """The records `entry_records` makes of `entries` (under a zone that `fits`), made
    with a few array operations over the whole chunk's text instead of a few per label:
    two million records (a million names and their subtrees) in about 0.6 s, where the
    record-by-record way took 4 to 5 s (`bench/feed.py`).

    None when an owner is not certainly a well-formed QNAME trigger (the checks of
    `owner_problem` but the zone's length, some stricter: any "rpz-", or a top label
    sharing its length and first three letters with a special-use one, refuses the
    chunk): such a chunk goes record by record, through `entry_records`, which leaves
    the bad owners out and reports them."""
    if not entries:
        return Rendered(b"", np.zeros(0, np.int32), 0)
    owners = list(map(_OWNER, entries))
    count = len(owners)
    try:
        text = ("|" + "~|".join(owners) + "~").encode("ascii")
    except UnicodeEncodeError:
        return None
    octets = np.frombuffer(text, np.uint8)
    seen = np.bincount(octets, minlength=256)
    if (
        seen[_BAD].any()
        or seen[_LEAD] != count  # no marker inside an owner
        or seen[_END] != count
        or seen[_STAR] != text.count(b"|*.")  # "*" only as a whole first label
        or b"rpz-" in text
    ):
        return None
    bounds = np.flatnonzero((octets == _DOT) | (octets == _LEAD) | (octets == _END))
    before = bounds[:-1]  # the last bound is the last owner's end
    leads = octets[before] != _END  # "|" and ".": a label follows
    lengths = (np.diff(bounds) - 1)[leads]
    if lengths.min() < 1 or lengths.max() > 63:
        return None
    last = np.flatnonzero(octets[bounds] == _END)  # where each owner ends, among the bounds
    ends_at = bounds[last]
    tops = bounds[last - 1] + 1  # each owner's top label: from its last bound to its end
    padded = np.frombuffer(text + b"\0\0", np.uint8).astype(np.int64)
    keys = (ends_at - tops) << 24 | padded[tops] << 16 | padded[tops + 1] << 8 | padded[tops + 2]
    if np.isin(keys, _SPECIAL_KEYS).any():
        return None
    wire = octets.copy()
    wire[before[leads]] = lengths
    owned = wire.tobytes()
    tails = {kind: POINTER + tail for kind, tail in parts.tails.items()}
    kinds = list(map(_KIND, entries))
    if kinds.count(kinds[0]) == count:
        tail = tails[kinds[0]]
        grown = np.arange(1, count + 1, dtype=np.int64) * (len(tail) - 1)
        body = owned.replace(b"~", tail)
    else:
        sizes = {kind: len(tail) - 1 for kind, tail in tails.items()}
        grown = np.cumsum(np.fromiter(map(sizes.__getitem__, kinds), np.int64, count))
        body = b"".join(
            itertools.chain.from_iterable(
                zip(owned.split(b"~"), map(tails.__getitem__, kinds), strict=False)
            )
        )
    ends = (ends_at + 1 + grown).astype(np.int32)
    # "|owner~": an owner's text is 2 octets shorter than the distance between two ends.
    longest = int(np.diff(ends_at, prepend=-1).max()) - 2
    return Rendered(body, ends, longest)


def chunks_of(entries: Sequence[Entry]) -> Iterable[Sequence[Entry]]:
    """A zone's entries in chunks: a `ZoneEntries`'s own (shared between versions and
    zones), or slices of any other sequence."""
    if isinstance(entries, ZoneEntries):
        return entries.chunks
    return (entries[i : i + CHUNK] for i in range(0, len(entries), CHUNK))


class RenderCache:
    """Records of zone chunks, rendered once and shared by every zone and version that
    holds the chunk, bounded by their size.

    A full transfer is its chunks' records sliced into messages (`packed_runs`): the
    zones of 300 operators sent the same million names render them once, an amendment
    renders the one chunk it changed, and `arret.feed.cache.DatabaseFeed` renders a new
    version's chunks when it loads it, before serving it, so that no transfer waits for
    them (a secondary's first transfer after a start took 3 to 4 times Knot DNS's when
    it rendered the zone: `bench/scale.py`).

    Chunks of a `ZoneEntries` are kept (by identity: a kept chunk is held, so its `id`
    is never another's) up to `budget` octets, the least recently used going first;
    `retain` drops those of versions no zone serves any more. The entries of any other
    sequence are rendered for the transfer and not kept. A chunk that fails the fast
    render's checks, or whose owners are too long for the zone's name, goes record by
    record through `entry_records`, which leaves bad owners out and counts them in
    `refusals`."""

    def __init__(self, budget: int = 256 * 1024 * 1024, refusals: Refusals | None = None) -> None:
        self._kept: OrderedDict[int, tuple[Sequence[Entry], FeedSettings, Rendered | None]]
        self._kept = OrderedDict()
        self._lock = threading.Lock()
        self.budget = budget
        self.size = 0
        self.refusals = refusals if refusals is not None else Refusals()

    def rendered(self, chunk: Sequence[Entry], parts: Parts, keep: bool = True) -> Rendered | None:
        """The chunk's records, kept or rendered now (and kept when `keep`)."""
        key = id(chunk)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] is chunk and found[1] == parts.settings:
                self._kept.move_to_end(key)
                return found[2]
        made = render_chunk(chunk, parts)
        if keep:
            self._keep(key, chunk, parts.settings, made)
        return made

    def _keep(
        self, key: int, chunk: Sequence[Entry], settings: FeedSettings, made: Rendered | None
    ) -> None:
        size = 0 if made is None else made.size
        if size > self.budget:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None and old[2] is not None:
                self.size -= old[2].size
            while self._kept and self.size + size > self.budget:
                _, (_, _, evicted) = self._kept.popitem(last=False)
                if evicted is not None:
                    self.size -= evicted.size
            self._kept[key] = (chunk, settings, made)
            self.size += size

    def prepare(self, entries: Sequence[Entry], parts: Parts) -> None:
        """Renders the chunks of `entries` not kept yet (a `ZoneEntries`; others are
        rendered per transfer)."""
        if isinstance(entries, ZoneEntries):
            for chunk in entries.chunks:
                self.rendered(chunk, parts)

    def retain(self, zones: Iterable[Sequence[Entry]]) -> None:
        """Drops the chunks none of `zones` holds (versions no zone serves any more; a
        transfer still sending one renders what it needs again)."""
        held = {
            id(chunk)
            for entries in zones
            if isinstance(entries, ZoneEntries)
            for chunk in entries.chunks
        }
        with self._lock:
            for key in [key for key in self._kept if key not in held]:
                _, _, made = self._kept.pop(key)
                if made is not None:
                    self.size -= made.size

    def full_zone(
        self, zone: str, serial: int, entries: Sequence[Entry], parts: Parts, room: int
    ) -> Iterator[tuple[int, bytes]]:
        """The zone's records packed into message bodies, each made when asked for: the
        first is on the wire while the rest is made (a secondary such as Knot DNS waits
        5 s for a first answer)."""
        return packed_runs(self._runs(zone, serial, entries, parts), room)

    def _runs(
        self, zone: str, serial: int, entries: Sequence[Entry], parts: Parts
    ) -> Iterator[Run]:
        soa = parts.soa(serial)
        yield single(soa)
        yield single(parts.ns)
        keep = isinstance(entries, ZoneEntries)
        for chunk in chunks_of(entries):
            made = self.rendered(chunk, parts, keep)
            if made is not None and made.fits(zone):
                yield made.wire, made.ends
            else:
                records = list(entry_records(chunk, parts, zone, self.refusals))
                if records:
                    yield joined(records)
        yield single(soa)
