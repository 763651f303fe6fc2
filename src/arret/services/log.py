"""The transparency log as the API, the CLI and `arret log verify` use it: proofs,
a database `Source` for the verifier, the registry's cross-checks, and the operator's
check that the zone it holds is the one logged for its serial."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.name
import dns.rdatatype
import dns.zone
from sqlalchemy import Connection

from arret.domain import names
from arret.domain.events import from_payload
from arret.errors import InvalidRange, LogKeyError, NotFound
from arret.keyfile import KeyFile
from arret.progress import Progress, silent
from arret.rpz import serial as serials
from arret.rpz.zone import NODATA, NXDOMAIN, PASSTHRU, PASSTHRU_KIND, Entry
from arret.services.log_writer import LogWriter
from arret.store import audit
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store import registry as store_registry
from arret.tlog import multiset, tiles
from arret.tlog.keys import Handover, KeyChain
from arret.tlog.leaves import canonical, commitment, feed_record, joined_record
from arret.tlog.signing import TreeHead
from arret.tlog.verify import Report

#: Most leaves one request returns, and about the most characters of leaf data: a page
#: ends early rather than exceed it (one leaf at least), and says where it ended.
MAX_LEAVES = 1000
MAX_PAGE_CHARS = 4_000_000


#: The secret of an operator's feed digests (its key, and the salt of older serials).
DigestSecret = store_log.DigestSecret


def newest_head(conn: Connection) -> TreeHead | None:
    """The newest signed tree head; None while the log is empty."""
    return store_log.head(conn)


def serial_leaf(conn: Connection, operator: str, serial: int) -> tuple[int, str] | None:
    """The index and data of the leaf that logs `operator`'s `serial`; None if none does."""
    found = store_log.feed_leaf(conn, operator, serial)
    return None if found is None else (found.index, found.data)


def key_chain(conn: Connection, public_key: bytes) -> KeyChain:
    """The log's keys over its life, from its hand-overs; `public_key` (the key this
    process was given) when there was none."""
    found = store_log.handovers(conn)
    return KeyChain.of(found[0].old if found else public_key, found)


def hand_over(conn: Connection, new: KeyFile, at: datetime) -> Handover:
    """Hand signing over to the key `new` (`arret.tlog.keys`), in `conn`'s transaction:
    its leaf and head are signed by the key in force, every later head by `new`. The
    processes that write must hold `new` from then on (as their key or next key)."""
    writer = store_log.writer_of(conn)
    if not isinstance(writer, LogWriter):
        raise LogKeyError("this process's log writer cannot hand its key over")
    return writer.hand_over(conn, new, at)


class DatabaseSource:
    """The verifier's view of a log read straight from the database."""

    def __init__(self, conn: Connection, public_key: bytes) -> None:
        self.conn, self.key = conn, public_key

    def public_key(self) -> bytes:
        return self.key

    def keys(self) -> KeyChain:
        return key_chain(self.conn, self.key)

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


def _in_newest_tree(conn: Connection, level: int, index: int, width: int) -> bool:
    """Whether the newest tree has tile `index` of `level` with `width` hashes: full
    tiles only at 256, the partial one only up to what it holds."""
    latest = store_log.head(conn)
    full, partial = tiles.widths(0 if latest is None else latest.size, level)
    return (
        0 < width <= tiles.WIDTH
        and index <= full
        and not (index == full and width > partial)
        and not (index < full and width != tiles.WIDTH)
    )


def tile(conn: Connection, level: int, index: int, width: int) -> bytes:
    """The hashes of a tile as the C2SP tlog-tiles layout serves it: full (`width` 256),
    or the first `width` hashes of a partial one — refused unless the newest tree has
    that many there (and no partial tile where the full one exists)."""
    if not _in_newest_tree(conn, level, index, width):
        raise NotFound(f"the log has no tile {tiles.path(level, index, width)}")
    blob = store_log.tile(conn, level, index)
    if blob is None or len(blob) < width * tiles.HASH:
        raise NotFound(f"tile {tiles.path(level, index, width)} is not stored")
    return blob[: width * tiles.HASH]


def entry_bundle(conn: Connection, index: int, width: int) -> bytes:
    """The leaves 256·index to 256·index + width - 1 as a C2SP tlog-tiles entry bundle:
    each leaf's data prefixed by its length (two octets, big-endian)."""
    if not _in_newest_tree(conn, 0, index, width):
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
    return {"name": name, "salt": salt.hex(), "commitment": committed,
            "leaves": audit.leaves_containing(conn, committed)}  # fmt: skip


# --- The registry against its log (a database's own `arret log verify`) ---


@dataclass(frozen=True)
class FeedReached:
    """Where the check of an operator's serials stopped: its last serial checked, a
    digest of its digest secret, whether its serials are keyed from there on, and for a
    salted serial the salted state and entry count its journal gives there."""

    serial: int
    state: int
    entries: int
    secret: str
    keyed: bool = True


@dataclass(frozen=True)
class PolicyReached:
    """Where the replay of a policy's journal stopped: its revision, the unsalted sum and
    entry count there."""

    rev: int
    total: int
    entries: int


@dataclass(frozen=True)
class Reached:
    """What a registry check reached, to go on from next time (`arret log verify
    --checkpoint`): the newest event checked, each operator's serials and each policy's
    journal."""

    last_event: int
    feeds: dict[str, FeedReached]
    policies: dict[int, PolicyReached] = field(default_factory=dict)


def secret_digest(secret: store_log.DigestSecret) -> str:
    """A digest of an operator's digest secret (a checkpoint holds no secret)."""
    material = b"".join([
        b"arret digest secret\n",
        secret.salt or b"",
        b"" if secret.key is None else multiset.to_text(secret.key).encode(),
        str(secret.keyed_since).encode(),
    ])  # fmt: skip
    return hashlib.sha256(material).hexdigest()


def registry_problems(
    conn: Connection, report: Report, since: Reached | None = None, progress: Progress = silent
) -> Reached:
    """Every event has exactly the leaves its row gives; every feed serial the digest its
    journal gives; the zone served now is the one its last leaf names. From `since` (a
    checkpoint), only the events and serials logged in the leaves `report` verified
    (from `report.start`): the journals replay from the states it holds, and the zone
    served is checked against the digest state the registry keeps instead of being summed
    again. Returns what it reached. `progress` hears of every thousandth event."""
    progress("checking each event against its leaves", 0, None)
    by_event = audit.event_leaves(conn, report.start)
    confidential = audit.confidential_orders(conn)

    def secret_order(order_id: int) -> bool:
        return bool(confidential.get(order_id))

    last = -1 if since is None else since.last_event
    # An event numbered before the checkpoint's last may have taken its leaf after it
    # (two writers: the numbers are drawn before the log's lock is taken).
    earlier = sorted(e for e in by_event if e <= last)
    reached = last
    checked = 0
    touched: set[int] = set()
    for rows in (audit.events_after(conn, last), audit.events_among(conn, earlier)):
        for seq, kind, order_id, at, actor, payload in rows:
            checked += 1
            if order_id is not None:
                touched.add(int(order_id))
            if checked % 1000 == 0:
                progress("checking each event against its leaves", checked, None)
            reached = max(reached, int(seq))
            _event_problems(conn, report, int(seq), (kind, order_id, at, actor), payload,
                            by_event, secret_order)  # fmt: skip
    for event_id, idx in sorted(by_event.items()):
        report.add(idx, f"records event {event_id}, which the registry does not hold")
    # The count of names each order keeps (what its pages and answers say) against its
    # targets, for the orders the events checked touched (a check from a checkpoint
    # costs what was appended since).
    for order_id in sorted(touched):
        kept = store_registry.current_target_count(conn, order_id)
        counted = store_registry.counted_target_count(conn, order_id)
        if kept != counted:
            report.add(None, f"order {order_id} says it has {kept:,} names; its targets "
                             f"are {counted:,}")  # fmt: skip
    progress("checking each feed serial against its journal", 0, None)
    feeds = _feed_problems(conn, report, since)
    return Reached(reached, feeds.feeds, feeds.policies)


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
    expected = [data.decode("utf-8") for _, data in records]
    if [leaf.data for leaf in logged] == expected:
        return
    # Logged before an event's names were split over leaves: one leaf holds them all.
    parts = [r for r, _ in records]
    if (
        len(records) > 1
        and logged
        and logged[0].data == canonical(joined_record(parts[0], parts[1:])).decode("utf-8")
    ):
        return
    for leaf, data in zip(logged, expected, strict=False):
        if leaf.data != data:
            report.add(leaf.index, f"event {seq} in the registry differs from what this leaf "
                       "recorded")  # fmt: skip
            return
    report.add(idx, f"event {seq}: the log holds {len(logged)} of its {len(records)} leaves")


Revision = tuple[int, int]  # (policy id, revision)


def revision_sums(
    conn: Connection,
    since: dict[int, PolicyReached] | None = None,
    refused: list[str] | None = None,
) -> dict[Revision, tuple[int, int]]:
    """(unsalted multiset sum, entry count) of every policy revision, replayed from the
    journals: each policy from empty, or a copy from the revision it was copied from —
    or, for a policy in `since` (a checkpoint), from the revision it reached there, only
    the journal after it.

    A revision stored as filling its policy from nothing (`store.feed.snapshots`) is
    summed from its entries as `store.feed.state_at` derives them; where the replay
    finds its policy not empty before it, or journal rows stored for it, the claim is
    false and said in `refused`."""
    since = since or {}
    revisions = audit.served_revisions(conn)
    sums: dict[Revision, tuple[int, int]] = {}
    for pid, base in audit.policies(conn):
        reached = since.get(pid)
        after: int | None
        if reached is not None:
            total, count, after = reached.total, reached.entries, reached.rev
            sums[(pid, after)] = (total, count)
            rows = audit.policy_journal(conn, pid, after)
        elif base is not None:
            total, count = sums.get(base, (0, 0))
            after = base[1]
            sums[(pid, after)] = (total, count)
            rows = audit.policy_journal(conn, pid)
        else:
            total, count, after = 0, 0, None
            rows = audit.policy_journal(conn, pid)
        journal: dict[int, list[tuple[bool, str, str]]] = defaultdict(list)
        for rev, added, owner, kind in rows:
            journal[int(rev)].append((bool(added), owner, kind))
        filled = set(store_feed.snapshots(conn, pid))
        replayed = revisions.get(pid, set()) | set(journal) | filled
        for rev in sorted(r for r in replayed if after is None or r > after):
            if rev in filled:
                if (count != 0 or total != 0 or rev in journal) and refused is not None:
                    refused.append(f"revision {rev} of policy {pid} is stored as filling it "
                                   "from nothing, but its journal says otherwise")  # fmt: skip
                state = store_feed.state_at(conn, pid, rev)
                total, count = multiset.add(0, b"", state), len(state)
            for added, owner, kind in journal.get(rev, []):
                element = multiset.element(b"", owner, kind)
                total += element if added else -element
                count += 1 if added else -1
            total %= multiset.MODULUS
            sums[(pid, rev)] = (total, count)
    return sums


def _feed_problems(conn: Connection, report: Report, since: Reached | None) -> Reached:
    """Every feed serial (after `since`) has the digest its policy's journal gives."""
    from arret.store import registry as store

    refused: list[str] = []
    sums = revision_sums(conn, None if since is None else since.policies, refused)
    for problem in refused:
        report.add(None, problem)
    reached: dict[str, FeedReached] = {}
    for op in store.list_operators(conn):
        op_id = store_feed.operator_id(conn, op.name)
        versions = store_feed.versions(conn, op_id)
        if not versions:
            continue
        secret = store_log.digest_secret(conn, op_id)
        if secret is None:
            report.add(None, f"{op.name} has feed serials but no policy digest")
            continue
        keyed, salted, count = False, 0, 0
        before = None if since is None else since.feeds.get(op.name)
        if before is not None:
            serials_seen = [v.serial for v in versions]
            if before.secret != secret_digest(secret) or before.serial not in serials_seen:
                report.add(None, f"{op.name}'s feed is not the one of the checkpoint (its "
                           f"serial {before.serial} or its digest secret is gone)")  # fmt: skip
                continue
            keyed = before.keyed
            salted, count = before.state, before.entries
            versions = versions[serials_seen.index(before.serial) + 1 :]
        for version in versions:
            keyed = keyed or version.serial == secret.keyed_since
            assert version.policy_id is not None and version.rev is not None
            if keyed and secret.key is not None:
                total, count = sums.get((version.policy_id, version.rev), (0, -1))
                expected = multiset.keyed_digest(secret.key, total)
            elif secret.salt is not None:
                # A serial from before shared policies: its own journal, salted.
                removed, added = store_feed.revision_changes(conn, version.policy_id, version.rev)
                salted = multiset.remove(multiset.add(salted, secret.salt, added), secret.salt,
                                         removed)  # fmt: skip
                count += len(added) - len(removed)
                expected = multiset.digest(salted)
            else:
                report.add(None, f"serial {version.serial} of {op.name} has no digest secret")
                continue
            leaf = store_log.feed_leaf(conn, op.name, version.serial)
            if leaf is None:
                report.add(None, f"serial {version.serial} of {op.name} has no leaf in the log")
                continue
            logged = json.loads(leaf.data)
            if logged.get("policy_digest") != expected or logged.get("entries") != count:
                report.add(leaf.index, f"serial {version.serial} of {op.name}: its journal "
                           "does not give the policy digest this leaf recorded")  # fmt: skip
        last = versions[-1].serial if versions else before.serial if before else 0
        reached[op.name] = FeedReached(last, salted, count, secret_digest(secret), keyed)
    policies: dict[int, PolicyReached] = {}
    for pid, members in _served(conn).items():
        policy = store_feed.policy(conn, pid)
        replayed = sums.get((pid, policy.rev))
        if replayed is not None:
            policies[pid] = PolicyReached(policy.rev, *replayed)
        # From a checkpoint, the sum the registry keeps stands for the entries (summing a
        # million entries again is what a checkpoint saves); else the entries are summed.
        held = (
            policy.total
            if since is not None
            else multiset.add(0, b"", store_feed.policy_entries(conn, pid))
        )
        if replayed is None or replayed[0] != held:
            # Each of them serves it under its latest serial: the first of those leaves.
            leaves = [
                leaf.index
                for name in members
                if (last_version := store_feed.latest(conn, store_feed.operator_id(conn, name)))
                and (leaf := store_log.feed_leaf(conn, name, last_version.serial)) is not None
            ]
            report.add(min(leaves, default=None), f"the zone served to {', '.join(members)} "
                       "now is not the one logged for its serial")  # fmt: skip
    return Reached(-1, reached, policies)


def _served(conn: Connection) -> dict[int, list[str]]:
    names_of = {i: n for n, i in store_feed.operator_ids(conn).items()}
    served: dict[int, list[str]] = defaultdict(list)
    for op_id, pid in sorted(store_feed.memberships(conn).items()):
        served[pid].append(names_of[op_id])
    return served


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


def check_held(
    secret: store_log.DigestSecret, held: HeldZone, logged: dict[str, Any]
) -> str | None:
    """Why the zone `held` is not the one logged in leaf data `logged` (None: it is)."""
    if logged.get("type") != "feed" or logged.get("serial") != held.serial:
        return f"the leaf is not the one of serial {held.serial}"
    salted = secret.salt is not None and (
        secret.key is None
        or secret.keyed_since is None
        or serials.greater(secret.keyed_since, held.serial)
    )
    if salted:
        assert secret.salt is not None
        digest = multiset.policy_digest(secret.salt, held.entries)
    else:
        assert secret.key is not None
        digest = multiset.keyed_policy_digest(secret.key, held.entries)
    if logged.get("entries") != len(held.entries):
        return (f"serial {held.serial} holds {len(held.entries)} entries; the log recorded "
                f"{logged.get('entries')}")  # fmt: skip
    if digest != logged.get("policy_digest"):
        return (f"serial {held.serial}: the zone's digest {digest[:16]}… is not the digest "
                f"logged for it ({str(logged.get('policy_digest'))[:16]}…)")  # fmt: skip
    return None


def digest_secret(conn: Connection, operator: str) -> store_log.DigestSecret:
    secret = store_log.digest_secret(conn, store_feed.operator_id(conn, operator))
    if secret is None:
        raise NotFound(f"operator {operator!r} has no feed published yet, hence no digest")
    return secret


def secret_to_json(secret: store_log.DigestSecret) -> dict[str, Any]:
    return {
        "key": None if secret.key is None else multiset.to_text(secret.key),
        "keyed_since": secret.keyed_since,
        "salt": None if secret.salt is None else secret.salt.hex(),
    }


def secret_from_json(data: dict[str, Any]) -> store_log.DigestSecret:
    key, salt = data.get("key"), data.get("salt")
    return store_log.DigestSecret(
        None if key is None else multiset.from_text(key),
        data.get("keyed_since"),
        None if salt is None else bytes.fromhex(salt),
    )


# --- A database that had a history before the log ---


def backfill(conn: Connection, now: datetime, progress: Progress = silent) -> int:
    """Append the leaves of a history recorded before this version had a log (a database
    migrated to revision 0007): every event, and every feed serial with the digest its
    journal gives, in the order they happened. Does nothing on a log that has leaves.
    Returns how many leaves were appended. `progress` hears of every hundredth."""
    if store_log.size(conn) > 0:
        return 0
    progress("reading the history recorded before the log", 0, None)
    pending: list[tuple[datetime, int, int, Any]] = []
    for seq, recorded_at, payload in audit.recorded_payloads(conn):
        pending.append((recorded_at, 0, seq, from_payload(payload)))
    from arret.store import registry as store

    confidential = audit.confidential_orders(conn)
    sums = revision_sums(conn)
    for op in store.list_operators(conn):
        op_id = store_feed.operator_id(conn, op.name)
        versions = store_feed.versions(conn, op_id)
        if not versions:
            continue
        audit.drop_digests(conn, op_id)
        for version in versions:
            assert version.policy_id is not None and version.rev is not None
            total, count = sums[(version.policy_id, version.rev)]
            digest = store_log.keyed_digest(conn, op_id, versions[0].serial, total)
            record = feed_record(op.name, version.serial, count, digest)
            pending.append((version.published_at, 1, op_id, (version.serial, record)))
    pending.sort(key=lambda p: (p[0], p[1], p[2]))
    for done, (_when, kind, ident, item) in enumerate(pending):
        if done % 100 == 0:
            progress("signing the history into the log", done, len(pending))
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
