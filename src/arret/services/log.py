"""The transparency log as the API, the CLI and `arret log verify` use it: proofs,
a database `Source` for the verifier, the registry's cross-checks, and the operator's
check that the zone it holds is the one logged for its serial."""

from __future__ import annotations

import json
from collections import defaultdict
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
from arret.rpz import serial as serials
from arret.rpz.zone import NODATA, NXDOMAIN, PASSTHRU, PASSTHRU_KIND, Entry
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store.schema import (
    events,
    feed_changes,
    feed_digests,
    feed_policies,
    feed_versions,
    log_leaves,
    orders,
)
from arret.tlog import merkle, multiset
from arret.tlog.leaves import canonical, commitment, feed_record
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
    hashes = store_log.leaf_hashes(conn, size)
    proof = merkle.inclusion_proof(index, hashes)
    return {
        "index": index,
        "size": size,
        "leaf_hash": hashes[index].hex(),
        "audit_path": [h.hex() for h in proof],
    }


def consistency(conn: Connection, first: int, second: int) -> list[bytes]:
    second, _ = _sizes(conn, second)
    if not 1 <= first <= second:
        raise InvalidRange(f"no consistency proof from size {first} to size {second}: the "
                             f"first size must be between 1 and the second")  # fmt: skip
    return merkle.consistency_proof(first, store_log.leaf_hashes(conn, second))


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


def registry_problems(conn: Connection, report: Report) -> None:
    """Every event has exactly the leaf its row gives; every feed serial the digest its
    journal gives; the zone served now is the one its last leaf names."""
    by_event: dict[int, tuple[int, str]] = {}
    for idx, event_id, data in conn.execute(
        select(log_leaves.c.idx, log_leaves.c.event_id, log_leaves.c.data).where(
            log_leaves.c.event_id.is_not(None)
        )
    ):
        by_event[int(event_id)] = (int(idx), data)
    confidential = dict(conn.execute(select(orders.c.id, orders.c.confidential)).all())

    def secret_order(order_id: int) -> bool:
        return bool(confidential.get(order_id))

    rows = conn.execute(
        select(events.c.id, events.c.kind, events.c.order_id, events.c.at, events.c.actor,
               events.c.payload).order_by(events.c.id)
    )  # fmt: skip
    for seq, kind, order_id, at, actor, payload in rows:
        event = from_payload(payload)
        leaf = by_event.pop(int(seq), None)
        if leaf is None:
            report.add(None, f"event {seq} ({payload.get('kind')}) has no leaf in the log")
            continue
        if (kind, order_id, at, actor) != (payload["kind"], getattr(event, "order_id", None),
                                           event.at, event.actor):  # fmt: skip
            report.add(leaf[0], f"event {seq}: its row's columns differ from its payload")
            continue
        record = store_log.event_leaf(conn, int(seq), event, secret_order, create_salts=False)
        if record is None:
            report.add(leaf[0], f"event {seq}: a name of its confidential order has no salt")
            continue
        if canonical(record).decode("utf-8") != leaf[1]:
            report.add(leaf[0], f"event {seq} in the registry differs from what this leaf "
                       "recorded")  # fmt: skip
    for event_id, (idx, _) in sorted(by_event.items()):
        report.add(idx, f"records event {event_id}, which the registry does not hold")
    _feed_problems(conn, report)


Revision = tuple[int, int]  # (policy id, revision)


def revision_sums(conn: Connection) -> dict[Revision, tuple[int, int]]:
    """(unsalted multiset sum, entry count) of every policy revision, replayed from the
    journals: each policy from empty, or a copy from the revision it was copied from."""
    journal: dict[Revision, list[tuple[bool, str, str]]] = defaultdict(list)
    for pid, rev, added, owner, kind in conn.execute(
        select(feed_changes.c.policy_id, feed_changes.c.rev, feed_changes.c.added,
               feed_changes.c.owner, feed_changes.c.kind).order_by(feed_changes.c.id)
    ):  # fmt: skip
        journal[(int(pid), int(rev))].append((bool(added), owner, kind))
    revisions: dict[int, set[int]] = defaultdict(set)
    for pid, rev in journal:
        revisions[pid].add(rev)
    for pid, rev in conn.execute(
        select(feed_versions.c.policy_id, feed_versions.c.rev).where(
            feed_versions.c.policy_id.is_not(None)
        )
    ):
        revisions[int(pid)].add(int(rev))
    sums: dict[Revision, tuple[int, int]] = {}
    for pid, base, base_rev in conn.execute(
        select(feed_policies.c.id, feed_policies.c.base_policy, feed_policies.c.base_rev)
        .order_by(feed_policies.c.id)
    ):  # fmt: skip
        total, count = sums.get((base, base_rev), (0, 0)) if base is not None else (0, 0)
        for rev in sorted(r for r in revisions[pid] if base_rev is None or r > base_rev):
            for added, owner, kind in journal.get((pid, rev), []):
                element = multiset.element(b"", owner, kind)
                total += element if added else -element
                count += 1 if added else -1
            total %= multiset.MODULUS
            sums[(pid, rev)] = (total, count)
        if base_rev is not None:
            sums.setdefault((pid, base_rev), (total, count))
    return sums


def _feed_problems(conn: Connection, report: Report) -> None:
    from arret.store import registry as store

    sums = revision_sums(conn)
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
    for pid, members in _served(conn).items():
        policy = store_feed.policy(conn, pid)
        held = multiset.add(0, b"", store_feed.policy_entries(conn, pid))
        if sums.get((pid, policy.rev), (None, None))[0] != held:
            # Each of them serves it under its latest serial: the first of those leaves.
            leaves = [
                leaf.index
                for name in members
                if (last := store_feed.latest(conn, store_feed.operator_id(conn, name)))
                and (leaf := store_log.feed_leaf(conn, name, last.serial)) is not None
            ]
            report.add(min(leaves, default=None), f"the zone served to {', '.join(members)} "
                       "now is not the one logged for its serial")  # fmt: skip


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
    sums = revision_sums(conn)
    for op in store.list_operators(conn):
        op_id = store_feed.operator_id(conn, op.name)
        versions = store_feed.versions(conn, op_id)
        if not versions:
            continue
        conn.execute(feed_digests.delete().where(feed_digests.c.operator_id == op_id))
        for version in versions:
            assert version.policy_id is not None and version.rev is not None
            total, count = sums[(version.policy_id, version.rev)]
            digest = store_log.keyed_digest(conn, op_id, versions[0].serial, total)
            record = feed_record(op.name, version.serial, count, digest)
            pending.append((version.published_at, 1, op_id, (version.serial, record)))
    pending.sort(key=lambda p: (p[0], p[1], p[2]))
    for _when, kind, ident, item in pending:
        if kind == 0:
            leaf = store_log.event_leaf(
                conn, ident, item, lambda oid: bool(confidential.get(oid)), create_salts=True
            )
            assert leaf is not None
            store_log.append(conn, leaf, now, event_id=ident)
        else:
            serial, feed_leaf_record = item
            store_log.append(conn, feed_leaf_record, now, operator_id=ident, serial=serial)
    return len(pending)
