"""The transparency log as the API, the CLI and `arret log verify` use it: proofs,
a database `Source` for the verifier, the registry's cross-checks, and the operator's
check that the zone it holds is the one logged for its serial."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dns.name
import dns.rdatatype
import dns.zone
from sqlalchemy import Connection, select

from arret.domain import names
from arret.domain.events import from_payload
from arret.errors import InvalidRange, NotFound
from arret.rpz.zone import NODATA, NXDOMAIN, PASSTHRU, PASSTHRU_KIND, Entry
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store.schema import (
    events,
    feed_changes,
    feed_digests,
    feed_entries,
    log_leaves,
    orders,
)
from arret.tlog import multiset, tiles
from arret.tlog.leaves import canonical, commitment, feed_record, joined_record
from arret.tlog.signing import TreeHead
from arret.tlog.verify import Report

#: Most leaves one request returns, and about the most characters of leaf data: a page
#: ends early rather than exceed it (one leaf at least), and says where it ended.
MAX_LEAVES = 1000
MAX_PAGE_CHARS = 4_000_000


class DatabaseSource:
    """The verifier's view of a log read straight from the database."""

    def __init__(self, conn: Connection, public_key: bytes) -> None:
        self.conn, self.key = conn, public_key

    def public_key(self) -> bytes:
        return self.key

    def head(self, size: int | None = None) -> TreeHead | None:
        return store_log.head(self.conn, size)

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        return [
            (leaf.index, leaf.data, leaf.hash) for leaf in store_log.leaves(self.conn, start, end)
        ]

    def consistency(self, first: int, second: int) -> list[bytes]:
        return consistency(self.conn, first, second)

    def heads(self, start: int, end: int) -> list[TreeHead]:
        return store_log.heads(self.conn, start, end)


def _sizes(conn: Connection, size: int | None) -> tuple[int, TreeHead]:
    latest = store_log.head(conn)
    if latest is None:
        raise NotFound("the log is empty: nothing was appended to it yet")
    if size is None:
        return latest.size, latest
    if not 1 <= size <= latest.size:
        raise InvalidRange(f"size {size} is not a tree size of this log (1 to {latest.size})")
    found = store_log.head(conn, size)
    if found is None:
        raise NotFound(f"no tree head of size {size} is stored")
    return size, found


def head(conn: Connection, size: int | None = None) -> TreeHead:
    return _sizes(conn, size)[1]


def inclusion(conn: Connection, index: int, size: int | None = None) -> dict[str, Any]:
    size, _ = _sizes(conn, size)
    if not 0 <= index < size:
        raise InvalidRange(f"leaf {index} is not in the tree of size {size} (0 to {size - 1})")
    tree = store_log.tree(conn, size)
    proof = tree.inclusion_proof(index)
    return {
        "index": index,
        "size": size,
        "leaf_hash": tree.node(0, index).hex(),
        "audit_path": [h.hex() for h in proof],
    }


def consistency(conn: Connection, first: int, second: int) -> list[bytes]:
    second, _ = _sizes(conn, second)
    if not 1 <= first <= second:
        raise InvalidRange(f"no consistency proof from size {first} to size {second}: the "
                             f"first size must be between 1 and the second")  # fmt: skip
    return store_log.tree(conn, second).consistency_proof(first)


def tile(conn: Connection, level: int, index: int, width: int) -> bytes:
    """The hashes of a tile as the C2SP tlog-tiles layout serves it: full (`width` 256),
    or the first `width` hashes of a partial one — refused unless the newest tree has
    that many there (and no partial tile where the full one exists)."""
    latest = store_log.head(conn)
    full, partial = tiles.widths(0 if latest is None else latest.size, level)
    if (
        not 0 < width <= tiles.WIDTH
        or index > full
        or (index == full and width > partial)
        or (index < full and width != tiles.WIDTH)
    ):
        raise NotFound(f"the log has no tile {tiles.path(level, index, width)}")
    blob = store_log.tile(conn, level, index)
    if blob is None or len(blob) < width * tiles.HASH:
        raise NotFound(f"tile {tiles.path(level, index, width)} is not stored")
    return blob[: width * tiles.HASH]


def entry_bundle(conn: Connection, index: int, width: int) -> bytes:
    """The leaves 256·index to 256·index + width - 1 as a C2SP tlog-tiles entry bundle:
    each leaf's data prefixed by its length (two octets, big-endian)."""
    latest = store_log.head(conn)
    full, partial = tiles.widths(0 if latest is None else latest.size, 0)
    if (
        not 0 < width <= tiles.WIDTH
        or index > full
        or (index == full and width > partial)
        or (index < full and width != tiles.WIDTH)
    ):
        raise NotFound(f"the log has no entry bundle {tiles.entries_path(index, width)}")
    start = index * tiles.WIDTH
    found = store_log.leaves(conn, start, start + width)
    out = bytearray()
    for leaf in found:
        raw = leaf.data.encode("utf-8")
        if len(raw) > 0xFFFF:
            raise InvalidRange(f"leaf {leaf.index} ({len(raw)} octets, logged before names "
                               "were split over leaves) does not fit an entry bundle: read it "
                               "from /api/log/leaves")  # fmt: skip
        out += len(raw).to_bytes(2, "big") + raw
    return bytes(out)


def leaves(conn: Connection, start: int, end: int) -> list[dict[str, Any]]:
    if start < 0 or end < start:
        raise InvalidRange(f"no leaves from {start} to {end}: give 0 ≤ start ≤ end")
    if end - start > MAX_LEAVES:
        raise InvalidRange(f"at most {MAX_LEAVES} leaves per request (asked {end - start})")
    return [
        {"index": leaf.index, "data": leaf.data, "hash": leaf.hash.hex()}
        for leaf in store_log.leaves(conn, start, end, MAX_PAGE_CHARS)
    ]


def heads(conn: Connection, start: int, end: int) -> list[dict[str, Any]]:
    if start < 1 or end < start:
        raise InvalidRange(f"no heads from size {start} to {end}: give 1 ≤ start ≤ end")
    if end - start > MAX_LEAVES:
        raise InvalidRange(f"at most {MAX_LEAVES} heads per request (asked {end - start})")
    return [h.as_json() for h in store_log.heads(conn, start, end)]


def feed_leaf(conn: Connection, operator: str, serial: int) -> dict[str, Any]:
    found = store_log.feed_leaf(conn, operator, serial)
    if found is None:
        raise NotFound(f"no serial {serial} of operator {operator!r} is in the log")
    return {"index": found.index, "data": found.data, "hash": found.hash.hex()}


def commitment_proof(conn: Connection, text: str) -> dict[str, Any]:
    """For an auditor: a name's salt, its commitment, and the leaves that hold it — the
    proof that confidential orders named it (or, with no salt, that none ever did)."""
    name = names.normalize(text)
    salt = store_log.known_salts(conn, [name]).get(name)
    if salt is None:
        raise NotFound(f"no confidential order ever named {name!r}: it has no salt")
    committed = commitment(salt, name)
    found = conn.execute(
        select(log_leaves.c.idx)
        .where(log_leaves.c.data.contains(committed))
        .order_by(log_leaves.c.idx)
    )
    return {"name": name, "salt": salt.hex(), "commitment": committed,
            "leaves": [int(i) for (i,) in found]}  # fmt: skip


# --- The registry against its log (a database's own `arret log verify`) ---


@dataclass(frozen=True)
class FeedReached:
    """Where the replay of an operator's journal stopped: its last serial checked, the
    digest state and entry count the journal gives there, and a digest of the salt."""

    serial: int
    state: int
    entries: int
    salt: str


@dataclass(frozen=True)
class Reached:
    """What a registry check reached, to go on from next time (`arret log verify
    --checkpoint`): the newest event checked, and each operator's replayed feed."""

    last_event: int
    feeds: dict[str, FeedReached]


def salt_digest(salt: bytes) -> str:
    return hashlib.sha256(b"arret digest salt\n" + salt).hexdigest()


def registry_problems(conn: Connection, report: Report, since: Reached | None = None) -> Reached:
    """Every event has exactly the leaves its row gives; every feed serial the digest its
    journal gives; the zone served now is the one its last leaf names. From `since` (a
    checkpoint), only the events and serials logged in the leaves `report` verified
    (from `report.start`): the journals replay from the states it holds, and the zone
    served is checked against the digest state the registry keeps instead of being summed
    again. Returns what it reached."""
    start = report.start
    by_event: dict[int, int] = {}
    for idx, event_id in conn.execute(
        select(log_leaves.c.idx, log_leaves.c.event_id).where(
            log_leaves.c.event_id.is_not(None), log_leaves.c.idx >= start
        )
    ):
        by_event[int(event_id)] = int(idx)
    confidential = dict(conn.execute(select(orders.c.id, orders.c.confidential)).all())

    def secret_order(order_id: int) -> bool:
        return bool(confidential.get(order_id))

    columns = (events.c.id, events.c.kind, events.c.order_id, events.c.at, events.c.actor,
               events.c.payload)  # fmt: skip
    last = -1 if since is None else since.last_event
    queries = [select(*columns).where(events.c.id > last).order_by(events.c.id)]
    # An event numbered before the checkpoint's last may have taken its leaf after it
    # (two writers: the numbers are drawn before the log's lock is taken).
    earlier = sorted(e for e in by_event if e <= last)
    queries += [
        select(*columns).where(events.c.id.in_(earlier[i : i + 500])).order_by(events.c.id)
        for i in range(0, len(earlier), 500)
    ]
    reached = last
    for query in queries:
        for seq, kind, order_id, at, actor, payload in conn.execute(query):
            reached = max(reached, int(seq))
            _event_problems(conn, report, int(seq), (kind, order_id, at, actor), payload,
                            by_event, secret_order)  # fmt: skip
    for event_id, idx in sorted(by_event.items()):
        report.add(idx, f"records event {event_id}, which the registry does not hold")
    return Reached(reached, _feed_problems(conn, report, since))


def _event_problems(
    conn: Connection,
    report: Report,
    seq: int,
    row: tuple[Any, ...],
    payload: dict[str, Any],
    by_event: dict[int, int],
    secret_order: Callable[[int], bool],
) -> None:
    event = from_payload(payload)
    idx = by_event.pop(seq, None)
    if idx is None:
        report.add(None, f"event {seq} ({payload.get('kind')}) has no leaf in the log")
        return
    if row != (payload["kind"], getattr(event, "order_id", None), event.at, event.actor):
        report.add(idx, f"event {seq}: its row's columns differ from its payload")
        return
    records = store_log.event_leaves(conn, seq, event, secret_order, create_salts=False)
    if records is None:
        report.add(idx, f"event {seq}: a name of its confidential order has no salt")
        return
    logged = store_log.leaves(conn, idx, idx + len(records))
    expected = [canonical(r).decode("utf-8") for r in records]
    if [leaf.data for leaf in logged] == expected:
        return
    # Logged before an event's names were split over leaves: one leaf holds them all.
    if (
        len(records) > 1
        and logged
        and logged[0].data == canonical(joined_record(records[0], records[1:])).decode("utf-8")
    ):
        return
    for leaf, data in zip(logged, expected, strict=False):
        if leaf.data != data:
            report.add(leaf.index, f"event {seq} in the registry differs from what this leaf "
                       "recorded")  # fmt: skip
            return
    report.add(idx, f"event {seq}: the log holds {len(logged)} of its {len(records)} leaves")


def replay(
    conn: Connection,
    op_id: int,
    versions: list[store_feed.Version],
    salt: bytes,
    state: int = 0,
    count: int = 0,
) -> Iterator[tuple[store_feed.Version, int, int]]:
    """Each serial of `versions` with the digest state and entry count its journal gives,
    replayed from `state` and `count` (those before the first of `versions`; zero: from
    the first publication)."""
    journal: dict[int, list[tuple[bool, str, str]]] = defaultdict(list)
    query = (
        select(feed_changes.c.serial, feed_changes.c.added, feed_changes.c.owner,
               feed_changes.c.kind)
        .where(feed_changes.c.operator_id == op_id)
        .order_by(feed_changes.c.id)
    )  # fmt: skip
    if not versions:
        return
    # The journal of these serials only (all of it when replayed from the first).
    query = query.where(feed_changes.c.serial >= min(v.serial for v in versions))
    for serial, added, owner, kind in conn.execute(query):
        journal[int(serial)].append((bool(added), owner, kind))
    for version in versions:
        for added, owner, kind in journal.get(version.serial, []):
            element = multiset.element(salt, owner, kind)
            state += element if added else -element
            count += 1 if added else -1
        state %= multiset.MODULUS
        yield version, state, count


def _feed_problems(
    conn: Connection, report: Report, since: Reached | None
) -> dict[str, FeedReached]:
    from arret.store import registry as store

    reached: dict[str, FeedReached] = {}
    for op in store.list_operators(conn):
        op_id = store_feed.operator_id(conn, op.name)
        versions = store_feed.versions(conn, op_id)
        if not versions:
            continue
        salt = store_log.digest_salt(conn, op_id)
        if salt is None:
            report.add(None, f"{op.name} has feed serials but no policy digest")
            continue
        start_state, start_count = 0, 0
        before = None if since is None else since.feeds.get(op.name)
        if before is not None:
            serials = [v.serial for v in versions]
            if before.salt != salt_digest(salt) or before.serial not in serials:
                report.add(None, f"{op.name}'s feed is not the one of the checkpoint (its "
                           f"serial {before.serial} or its digest salt is gone)")  # fmt: skip
                continue
            versions = versions[serials.index(before.serial) + 1 :]
            start_state, start_count = before.state, before.entries
        last_leaf, state, count = None, start_state, start_count
        for version, state, count in replay(conn, op_id, versions, salt, start_state, start_count):
            leaf = store_log.feed_leaf(conn, op.name, version.serial)
            if leaf is None:
                report.add(None, f"serial {version.serial} of {op.name} has no leaf in the log")
                continue
            last_leaf = leaf.index
            logged = json.loads(leaf.data)
            if (
                logged.get("policy_digest") != multiset.digest(state)
                or logged.get("entries") != count
            ):
                report.add(leaf.index, f"serial {version.serial} of {op.name}: its journal "
                           "does not give the policy digest this leaf recorded")  # fmt: skip
        last = versions[-1].serial if versions else before.serial if before else 0
        reached[op.name] = FeedReached(last, state, count, salt_digest(salt))
        if before is None:
            current = conn.execute(
                select(feed_entries.c.owner, feed_entries.c.kind).where(
                    feed_entries.c.operator_id == op_id
                )
            )
            held = multiset.add(0, salt, ((o, k) for o, k in current))
        else:
            kept = conn.scalar(select(feed_digests.c.state).where(
                feed_digests.c.operator_id == op_id))  # fmt: skip
            held = multiset.from_text(kept) if kept else -1
        if held != state:
            report.add(last_leaf, f"the zone served to {op.name} now is not the one logged "
                       f"for its serial {last}")  # fmt: skip
    return reached


# --- An operator's zone against the log ---


@dataclass(frozen=True)
class HeldZone:
    """What an operator holds: the serial of its copy and its entries."""

    serial: int
    entries: list[Entry]


def entries_of(zone: dns.zone.Zone) -> HeldZone:
    """Read an RPZ zone (from AXFR or from a file) back into Arrêt's entries."""
    soa = zone.get_soa()
    found: list[Entry] = []
    for name, node in zone.nodes.items():
        rdataset = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if rdataset is None:
            continue
        assert zone.origin is not None
        owner = name.relativize(zone.origin).to_text()
        for rdata in rdataset:
            target = rdata.target.to_text()
            kind = {NXDOMAIN: "nxdomain", NODATA: "nodata", PASSTHRU: PASSTHRU_KIND}.get(
                target, "notice"
            )
            found.append((owner, kind))
    return HeldZone(int(soa.serial), found)


def check_held(salt: bytes, held: HeldZone, logged: dict[str, Any]) -> str | None:
    """Why the zone `held` is not the one logged in leaf data `logged` (None: it is)."""
    if logged.get("type") != "feed" or logged.get("serial") != held.serial:
        return f"the leaf is not the one of serial {held.serial}"
    digest = multiset.policy_digest(salt, held.entries)
    if logged.get("entries") != len(held.entries):
        return (f"serial {held.serial} holds {len(held.entries)} entries; the log recorded "
                f"{logged.get('entries')}")  # fmt: skip
    if digest != logged.get("policy_digest"):
        return (f"serial {held.serial}: the zone's digest {digest[:16]}… is not the digest "
                f"logged for it ({str(logged.get('policy_digest'))[:16]}…)")  # fmt: skip
    return None


def digest_salt(conn: Connection, operator: str) -> bytes:
    salt = store_log.digest_salt(conn, store_feed.operator_id(conn, operator))
    if salt is None:
        raise NotFound(f"operator {operator!r} has no feed published yet, hence no digest")
    return salt


# --- A database that had a history before the log ---


def backfill(conn: Connection, now: datetime) -> int:
    """Append the leaves of a history recorded before this version had a log (a database
    migrated to revision 0007): every event, and every feed serial with the digest its
    journal gives, in the order they happened. Does nothing on a log that has leaves.
    Returns how many leaves were appended."""
    if store_log.size(conn) > 0:
        return 0
    pending: list[tuple[datetime, int, int, Any]] = []
    for seq, recorded_at, payload in conn.execute(
        select(events.c.id, events.c.recorded_at, events.c.payload).order_by(events.c.id)
    ):
        pending.append((recorded_at, 0, int(seq), from_payload(payload)))
    from arret.store import registry as store

    confidential = dict(conn.execute(select(orders.c.id, orders.c.confidential)).all())
    for op in store.list_operators(conn):
        op_id = store_feed.operator_id(conn, op.name)
        versions = store_feed.versions(conn, op_id)
        if not versions:
            continue
        salt = store_log.start_digest(conn, op_id)
        state = 0
        for version, state, count in replay(conn, op_id, versions, salt):
            record = feed_record(op.name, version.serial, count, multiset.digest(state))
            pending.append((version.published_at, 1, op_id, (version.serial, record)))
        store_log.set_digest(conn, op_id, state)
    pending.sort(key=lambda p: (p[0], p[1], p[2]))
    for _when, kind, ident, item in pending:
        if kind == 0:
            records = store_log.event_leaves(
                conn, ident, item, lambda oid: bool(confidential.get(oid)), create_salts=True
            )
            assert records is not None
            store_log.append_event(conn, ident, records, now)
        else:
            serial, feed_leaf_record = item
            store_log.append(conn, feed_leaf_record, now, operator_id=ident, serial=serial)
    return len(pending)
