"""Rows of the feed: serials, the zone's current entries, the journal, the clock.

Like `arret.store.registry`, every function works in the caller's transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, repeat
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, literal, select

from arret.collector import collector_paused
from arret.progress import Counted, uncounted
from arret.rpz.zone import Delta, Entry
from arret.store import log, multisum
from arret.store.bulk import insert_column, insert_tuples, matching
from arret.store.schema import (
    allow_list,
    feed_changes,
    feed_clock,
    feed_entries,
    feed_members,
    feed_policies,
    feed_settings,
    feed_snapshots,
    feed_versions,
    operators,
    order_operators,
    orders,
    targets,
)
from arret.tlog import multiset
from arret.tlog.leaves import feed_record


@dataclass(frozen=True)
class Version:
    serial: int
    published_at: datetime
    entries: int
    added: int
    removed: int
    #: The journal cannot lead to this serial: clients below it get the full zone.
    rewrite: bool = False
    #: The policy revision this serial serves.
    policy_id: int | None = None
    rev: int | None = None


@dataclass(frozen=True)
class Policy:
    """What some operators block in common, at its current revision."""

    id: int
    base_policy: int | None
    base_rev: int | None
    rev: int
    entries: int
    #: The unsalted multiset sum of its entries (`arret.tlog.multiset`).
    total: int


def operator_id(conn: Connection, name: str) -> int:
    found = conn.scalar(select(operators.c.id).where(operators.c.name == name))
    assert found is not None, f"operator {name!r} checked by the caller"
    return int(found)


def operator_ids(conn: Connection) -> dict[str, int]:
    return {str(n): int(i) for i, n in conn.execute(select(operators.c.id, operators.c.name))}


def _version(row: Any) -> Version:
    return Version(row.serial, row.published_at, row.entries, row.added, row.removed,
                   row.rewrite, row.policy_id, row.rev)  # fmt: skip


def latest(conn: Connection, op_id: int) -> Version | None:
    row = conn.execute(
        select(feed_versions)
        .where(feed_versions.c.operator_id == op_id)
        .order_by(feed_versions.c.published_at.desc(), feed_versions.c.serial.desc())
        .limit(1)
    ).first()
    return None if row is None else _version(row)


def version_count(conn: Connection, op_id: int) -> int:
    """How many serials the operator has published (its versions)."""
    return (
        conn.scalar(
            select(func.count())
            .select_from(feed_versions)
            .where(feed_versions.c.operator_id == op_id)
        )
        or 0
    )


def versions(conn: Connection, op_id: int) -> list[Version]:
    rows = conn.execute(
        select(feed_versions)
        .where(feed_versions.c.operator_id == op_id)
        .order_by(feed_versions.c.published_at, feed_versions.c.serial)
    )
    return [_version(r) for r in rows]


# --- policies -------------------------------------------------------------------------


def memberships(conn: Connection) -> dict[int, int]:
    """operator id -> the policy it serves now (operators never published: absent)."""
    rows = conn.execute(select(feed_members.c.operator_id, feed_members.c.policy_id))
    return {int(o): int(p) for o, p in rows}


def policy_of(conn: Connection, op_id: int) -> int | None:
    found = conn.scalar(select(feed_members.c.policy_id).where(feed_members.c.operator_id == op_id))
    return None if found is None else int(found)


def set_member(conn: Connection, op_id: int, policy_id: int) -> None:
    if policy_of(conn, op_id) is None:
        conn.execute(feed_members.insert().values(operator_id=op_id, policy_id=policy_id))
    else:
        conn.execute(
            feed_members.update()
            .where(feed_members.c.operator_id == op_id)
            .values(policy_id=policy_id)
        )


def signatures(conn: Connection) -> dict[int, frozenset[int]]:
    """operator id -> the orders addressed to it by name (orders to all operators aside).
    Operators with equal signatures must block exactly the same names: they share a
    policy. Orders that ended count too: a signature only grows, so operators are split
    apart when an order singles some out, and never need merging back to stay correct."""
    query = (
        select(order_operators.c.operator_id, order_operators.c.order_id)
        .join(orders, orders.c.id == order_operators.c.order_id)
        .where(orders.c.all_operators.is_(False))
    )
    found: dict[int, set[int]] = {}
    for op_id, order_id in conn.execute(query):
        found.setdefault(int(op_id), set()).add(int(order_id))
    return {o: frozenset(ids) for o, ids in found.items()}


def policy(conn: Connection, policy_id: int) -> Policy:
    row = conn.execute(select(feed_policies).where(feed_policies.c.id == policy_id)).one()
    if row.sum is None:
        # A database migrated from one copy per operator: summed once, on first use.
        total = multiset.add(0, b"", policy_entries(conn, policy_id))
        conn.execute(
            feed_policies.update()
            .where(feed_policies.c.id == policy_id)
            .values(sum=multiset.to_text(total))
        )
    else:
        total = multiset.from_text(row.sum)
    return Policy(row.id, row.base_policy, row.base_rev, row.rev, row.entries, total)


def new_policy(conn: Connection, at: datetime) -> Policy:
    """An empty policy, at revision 0."""
    pid = conn.execute(
        feed_policies.insert().values(
            base_policy=None,
            base_rev=None,
            rev=0,
            entries=0,
            sum=multiset.to_text(0),
            created_at=at,
        )
    ).inserted_primary_key
    assert pid is not None
    return Policy(int(pid[0]), None, None, 0, 0, 0)


def copy_policy(conn: Connection, source: Policy, at: datetime) -> Policy:
    """A copy of `source` at its current revision (for operators split off from it).
    The rows are copied by the database, not through Python."""
    key = conn.execute(
        feed_policies.insert().values(
            base_policy=source.id,
            base_rev=source.rev,
            rev=source.rev,
            entries=source.entries,
            sum=multiset.to_text(source.total),
            created_at=at,
        )
    ).inserted_primary_key
    assert key is not None
    pid = int(key[0])
    columns = select(literal(pid), feed_entries.c.owner, feed_entries.c.kind).where(
        feed_entries.c.policy_id == source.id
    )
    conn.execute(feed_entries.insert().from_select(["policy_id", "owner", "kind"], columns))
    return Policy(pid, source.id, source.rev, source.rev, source.entries, source.total)


def drop_entries(conn: Connection, policy_id: int) -> None:
    """Forget the entries of a policy no operator serves any more (its journal stays).
    The revisions whose journal was derived from those entries (`snapshots`) get their
    journal written first: without the entries it could not be derived any more."""
    write_derived_journal(conn, policy_id)
    conn.execute(delete(feed_entries).where(feed_entries.c.policy_id == policy_id))


def write_derived_journal(conn: Connection, policy_id: int) -> None:
    """Store the journal of the policy's revisions that filled it from nothing, as the
    journal of any other revision (they are then no longer `snapshots`)."""
    states = {rev: state_at(conn, policy_id, rev) for rev in snapshots(conn, policy_id)}
    for rev, state in states.items():
        rows = ((policy_id, rev, True, owner, kind) for owner, kind in state)
        columns = ("policy_id", "rev", "added", "owner", "kind")
        insert_tuples(conn, feed_changes, columns, rows, native=True)
    conn.execute(delete(feed_snapshots).where(feed_snapshots.c.policy_id == policy_id))


def snapshots(conn: Connection, policy_id: int) -> list[int]:
    """The revisions of the policy that filled it from no entries, whose journal is
    derived (`state_at`), not stored."""
    query = select(feed_snapshots.c.rev).where(feed_snapshots.c.policy_id == policy_id)
    return sorted(int(r) for r in conn.scalars(query))


def state_at(conn: Connection, policy_id: int, rev: int) -> list[Entry]:
    """The policy's entries at its revision `rev` (at most its current one), sorted: its
    entries now with the journal of every later revision undone, newest first — or, when
    a later revision filled it from nothing, nothing at the revision before that one,
    with the journal in between undone. Reads the policy's entries (or nothing) and the
    journal after `rev`: what an IXFR from before `rev` would send anyway."""
    refilled = conn.scalar(
        select(func.min(feed_snapshots.c.rev)).where(
            feed_snapshots.c.policy_id == policy_id, feed_snapshots.c.rev > rev
        )
    )
    if refilled is None:
        state = dict(policy_entries(conn, policy_id))
        until = int(
            conn.scalar(select(feed_policies.c.rev).where(feed_policies.c.id == policy_id)) or 0
        )
    else:
        state, until = {}, int(refilled) - 1
    query = (
        select(feed_changes.c.added, feed_changes.c.owner, feed_changes.c.kind)
        .where(
            feed_changes.c.policy_id == policy_id,
            feed_changes.c.rev > rev,
            feed_changes.c.rev <= until,
        )
        # Newest revision first; in each, its additions undone before its removals (an
        # owner whose kind changed was removed and added in the same revision).
        .order_by(feed_changes.c.rev.desc(), feed_changes.c.added.desc())
    )
    for added, owner, kind in conn.execute(query):
        if added:
            state.pop(owner, None)
        else:
            state[owner] = kind
    return sorted(state.items())


def policy_entries(
    conn: Connection, policy_id: int, owners: Sequence[str] | None = None
) -> list[Entry]:
    """The policy's current entries (only those with the given owners), sorted."""
    base = select(feed_entries.c.owner, feed_entries.c.kind).where(
        feed_entries.c.policy_id == policy_id
    )
    # A handful of kinds for up to millions of rows: one string object each, not one per
    # row (about 50 bytes a row; 100 MB of a zone of 2,000,000 records held by the server).
    kinds: dict[str, str] = {}
    if owners is None:
        with collector_paused():
            return _whole_policy(conn, policy_id, base, kinds)
    found: list[Entry] = []
    for clause in matching(conn, feed_entries.c.owner, owners):
        found += [(o, kinds.setdefault(k, k)) for o, k in conn.execute(base.where(clause))]
    return sorted(found)


def _whole_policy(
    conn: Connection, policy_id: int, base: Any, kinds: dict[str, str]
) -> list[Entry]:
    """Every entry of the policy, sorted (`policy_entries`)."""
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        assert raw is not None
        whole = _sqlite_policy_entries(raw, policy_id)
        if whole is not None:
            return whole
        # The driver's own tuples: SQLAlchemy's rows cost 3 s more at 2,000,000
        # records. Stored in the order the policy was written, so mostly sorted.
        query = "SELECT owner, kind FROM feed_policy_entries WHERE policy_id = ?"
        rows = raw.execute(query, (policy_id,)).fetchall()
    else:
        rows = conn.execute(base).all()
    return sorted([(o, kinds.setdefault(k, k)) for o, k in rows])


_FIRST_KIND = "SELECT kind FROM feed_policy_entries WHERE policy_id = ?1 LIMIT 1"
_OF_KIND = (
    "SELECT count(*), count(CASE WHEN kind = ?2 THEN 1 END), group_concat(CASE WHEN "
    "kind = ?2 THEN owner END, char(10)) FROM feed_policy_entries WHERE policy_id = ?1"
)
_OTHER_KINDS = "SELECT DISTINCT kind FROM feed_policy_entries WHERE policy_id = ?1 AND kind <> ?2"


def _sqlite_policy_entries(raw: Any, policy_id: int) -> list[Entry] | None:
    """All of a policy's entries, sorted, read from SQLite as one text of owners per kind
    (nearly always one kind): 2,000,000 rows read as tuples by the driver took 1.4 s
    and their kinds shared another 0.3 s; as one text split in Python, about 0.8 s, in
    one pass over the table when all its entries are of one kind. None when an owner
    holds the separator (a name never does) or the text would be too long for SQLite: then
    the caller reads rows."""
    first = raw.execute(_FIRST_KIND, (policy_id,)).fetchone()
    if first is None:
        return []
    kind = first[0]
    try:
        total, count, text = raw.execute(_OF_KIND, (policy_id, kind)).fetchone()
        texts = [(kind, count, text)]
        if count < total:
            for (other,) in raw.execute(_OTHER_KINDS, (policy_id, kind)).fetchall():
                texts.append((other, *raw.execute(_OF_KIND, (policy_id, other)).fetchone()[1:]))
    except sqlite3.DataError:  # a text over SQLite's limit (1 GB): rows, then
        return None
    found: list[Entry] = []
    for kind, count, text in texts:
        owners = text.split("\n") if count else []
        if len(owners) != count:
            return None
        found += zip(owners, repeat(kind))  # one string for the kind, as `kinds` above
    if len(found) != total:
        return None
    found.sort()
    return found


def entries(conn: Connection, op_id: int, owners: Sequence[str] | None = None) -> list[Entry]:
    """The operator's zone's current entries (only those with the given owners), sorted."""
    pid = policy_of(conn, op_id)
    return [] if pid is None else policy_entries(conn, pid, owners)


#: From this many entries added, their sum is computed in a second thread while the
#: database writes them: SQLite's statement runs without Python's lock, and PostgreSQL
#: works in its own process while the rows stream to it.
SUM_ALONGSIDE = 50_000


class EarlySum:
    """The unsalted sum of `entries`, worked out by a child process (`early_sum`)."""

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        blob = multisum.encode(_by_kind(entries))
        self._pending = None if blob is None else multisum.start(blob)
        self._result: int | None = None

    def result(self) -> int | None:
        """The sum; None when the child gave none (the caller sums the entries)."""
        if self._result is None and self._pending is not None:
            self._result = self._pending.result()
            self._pending = None
        return self._result

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


def early_sum(entries: tuple[Entry, ...]) -> EarlySum:
    """Start summing `entries`, before they are known to be a policy's change: a large
    registration starts it before writing its rows, and `advance` takes the sum when
    the change it applies adds exactly these entries."""
    return EarlySum(entries)


def advance(
    conn: Connection,
    current: Policy,
    change: Delta,
    early: EarlySum | None = None,
    counted: Counted = uncounted,
) -> Policy:
    """Apply `change` to the policy as its next revision: entries, journal and sum.
    `early`: a sum started beforehand (`early_sum`), used when it is the sum of exactly
    the entries `change` adds. `counted` hears how many of the added entries are written,
    a batch at a time."""
    rev = current.rev + 1
    summed: list[int] = []
    worker = None
    if early is not None and change.added == early.entries:
        found = early.result()
        if found is not None:
            summed.append((current.total + found) % multiset.MODULUS)
    if not summed and len(change.added) >= SUM_ALONGSIDE:
        # 2M SHAKE-256 outputs of 512 octets for a million names (about 5 s), meanwhile
        # the entries are written (`_insert_entries`).
        def add() -> None:
            summed.append(multiset.add(current.total, b"", change.added))

        worker = threading.Thread(target=add, name="policy-sum", daemon=True)
        worker.start()
    try:
        _write_revision(conn, current, change, rev, counted)
    finally:
        if worker is not None:
            worker.join()
    added = summed[0] if summed else multiset.add(current.total, b"", change.added)
    total = multiset.remove(added, b"", change.removed)
    count = current.entries + len(change.added) - len(change.removed)
    conn.execute(
        feed_policies.update()
        .where(feed_policies.c.id == current.id)
        .values(rev=rev, entries=count, sum=multiset.to_text(total))
    )
    return Policy(current.id, current.base_policy, current.base_rev, rev, count, total)


def _write_revision(
    conn: Connection, current: Policy, change: Delta, rev: int, counted: Counted = uncounted
) -> None:
    """The entries and journal rows of revision `rev` of the policy."""
    removed_owners = [owner for owner, _ in change.removed]
    for clause in matching(conn, feed_entries.c.owner, removed_owners):
        conn.execute(delete(feed_entries).where(feed_entries.c.policy_id == current.id, clause))
    pid = current.id
    _insert_entries(conn, pid, change.added, counted)
    if current.entries == 0 and not change.removed and change.added:
        # From nothing to these entries: the journal would repeat them (`snapshots`).
        conn.execute(feed_snapshots.insert().values(policy_id=pid, rev=rev))
    else:
        journal = chain(
            ((pid, rev, False, o, k) for o, k in change.removed),
            ((pid, rev, True, o, k) for o, k in change.added),
        )
        columns = ("policy_id", "rev", "added", "owner", "kind")
        insert_tuples(conn, feed_changes, columns, journal, native=True)


def _insert_entries(
    conn: Connection, pid: int, added: Sequence[Entry], counted: Counted = uncounted
) -> None:
    """New entries of the policy. They come sorted by owner, the order of the table's key
    (appended to its b-tree, not spread). One statement per kind with the owners alone
    (`insert_column`; on SQLite half the time of binding each row, and no Python
    meanwhile; on PostgreSQL, COPY lines joined as text). `counted` hears the entries
    written so far, over every kind."""
    written = 0
    for kind, owners in sorted(_by_kind(added).items()):

        def so_far(done: int, before: int = written) -> None:
            counted(before + done)

        fixed = {"policy_id": pid, "kind": kind}
        insert_column(conn, feed_entries, fixed, "owner", owners, so_far)
        written += len(owners)


def _by_kind(added: Sequence[Entry]) -> dict[str, list[str]]:
    """The owners of `added` by kind, each list in the order of `added`."""
    kinds = {kind for _, kind in added}
    by_kind: dict[str, list[str]] = {}
    if len(kinds) == 1:  # the usual large revision: one order's names and wildcards
        by_kind[kinds.pop()] = [owner for owner, _ in added]
        return by_kind
    for owner, kind in added:
        found = by_kind.get(kind)
        if found is None:
            by_kind[kind] = [owner]
        else:
            found.append(owner)
    return by_kind


@dataclass(frozen=True)
class NewSerial:
    operator_id: int
    serial: int
    added: int
    removed: int


def record_versions(
    conn: Connection,
    new: Sequence[NewSerial],
    served: Policy,
    at: datetime,
    rewrite: bool = False,
) -> None:
    """Write new serials of operators that serve `served` (their policy at its current
    revision), and their leaves in the transparency log (entries and keyed policy
    digest), in `conn`'s transaction: one statement per table for all of them, and one
    append to the log, whatever their number."""
    if not new:
        return
    digests = log.keyed_digests(conn, {n.operator_id: n.serial for n in new}, served.total)
    conn.execute(
        feed_versions.insert(),
        [
            {"operator_id": n.operator_id, "serial": n.serial, "published_at": at,
             "entries": served.entries, "added": n.added, "removed": n.removed,
             "rewrite": rewrite, "policy_id": served.id, "rev": served.rev}
            for n in new
        ],
    )  # fmt: skip
    names = dict(
        conn.execute(
            select(operators.c.id, operators.c.name).where(
                operators.c.id.in_([n.operator_id for n in new])
            )
        ).all()
    )
    log.append_many(
        conn,
        [
            log.Record(
                feed_record(names[n.operator_id], n.serial, served.entries, digests[n.operator_id]),
                operator_id=n.operator_id,
                serial=n.serial,
            )
            for n in new
        ],
        at,
    )


def latest_of(conn: Connection, op_ids: Sequence[int]) -> dict[int, Version]:
    """The latest serial of each of these operators that has one (one query)."""
    newest = (
        select(
            feed_versions.c.operator_id.label("op"),
            func.max(feed_versions.c.published_at).label("at"),
        )
        .where(feed_versions.c.operator_id.in_(sorted(op_ids)))
        .group_by(feed_versions.c.operator_id)
        .subquery()
    )
    rows = conn.execute(
        select(feed_versions).join(
            newest,
            (feed_versions.c.operator_id == newest.c.op)
            & (feed_versions.c.published_at == newest.c.at),
        )
    )
    found: dict[int, Version] = {}
    for row in rows:
        version = _version(row)
        kept = found.get(int(row.operator_id))
        if kept is None or version.serial > kept.serial:
            found[int(row.operator_id)] = version
    return found


def revision_changes(conn: Connection, policy_id: int, rev: int) -> tuple[list[Entry], list[Entry]]:
    """(removed, added) entries of one revision of a policy (derived from the entries for
    a revision that filled it from nothing)."""
    if (
        conn.scalar(
            select(feed_snapshots.c.rev).where(
                feed_snapshots.c.policy_id == policy_id, feed_snapshots.c.rev == rev
            )
        )
        is not None
    ):
        return [], state_at(conn, policy_id, rev)
    rows = conn.execute(
        select(feed_changes.c.added, feed_changes.c.owner, feed_changes.c.kind)
        .where(feed_changes.c.policy_id == policy_id, feed_changes.c.rev == rev)
        .order_by(feed_changes.c.id)
    )
    removed: list[Entry] = []
    added: list[Entry] = []
    for is_added, owner, kind in rows:
        (added if is_added else removed).append((owner, kind))
    return removed, added


def follows(conn: Connection, before: Version | None, after: Version) -> bool:
    """Whether the journal of `after`'s revision leads from `before` to `after`: the next
    revision of the same policy, or the first revision of a policy copied from `before`'s
    (None: `after` is its operator's first serial, which the journal leads to only when
    it is its policy's first revision from empty)."""
    if after.policy_id is None or after.rev is None or after.rewrite:
        return False
    if before is None:
        row = conn.execute(
            select(feed_policies.c.base_policy).where(feed_policies.c.id == after.policy_id)
        ).one()
        first = conn.scalar(
            select(func.min(feed_versions.c.rev)).where(
                feed_versions.c.policy_id == after.policy_id
            )
        )
        return row.base_policy is None and first == after.rev
    if before.policy_id == after.policy_id:
        return before.rev != after.rev
    row = conn.execute(
        select(feed_policies.c.base_policy, feed_policies.c.base_rev).where(
            feed_policies.c.id == after.policy_id
        )
    ).one()
    return (
        (row.base_policy, row.base_rev) == (before.policy_id, before.rev)
        and before.rev is not None
        and after.rev == before.rev + 1
    )


def notice_host(conn: Connection) -> str | None:
    """The notice host the zones were last rendered with (None: never recorded)."""
    return conn.scalar(select(feed_settings.c.notice_host).where(feed_settings.c.id == 1))


def set_notice_host(conn: Connection, host: str, at: datetime) -> None:
    if notice_host(conn) is None:
        conn.execute(feed_settings.insert().values(id=1, notice_host=host, changed_at=at))
    else:
        conn.execute(
            feed_settings.update()
            .where(feed_settings.c.id == 1)
            .values(notice_host=host, changed_at=at)
        )


def has_kind(conn: Connection, policy_id: int, kind: str) -> bool:
    query = select(feed_entries.c.owner).where(
        feed_entries.c.policy_id == policy_id, feed_entries.c.kind == kind
    )
    return conn.execute(query.limit(1)).first() is not None


def count_entries(conn: Connection, op_id: int) -> int:
    pid = policy_of(conn, op_id)
    return 0 if pid is None else policy(conn, pid).entries


def journal(conn: Connection, op_id: int, serial: int) -> tuple[list[Entry], list[Entry]]:
    """(removed, added) entries of one serial of an operator (`changes_of`)."""
    previous: Version | None = None
    for version in versions(conn, op_id):
        if version.serial == serial:
            return changes_of(conn, previous, version)
        previous = version
    return [], []


def changes_of(
    conn: Connection, previous: Version | None, version: Version
) -> tuple[list[Entry], list[Entry]]:
    """(removed, added): what an operator's zone changed from its serial `previous` to
    `version`, as far as the journal says — nothing for a serial the journal does not
    lead to (the operator's first serial in a policy it joined, or a rewrite)."""
    if not follows(conn, previous, version):
        return [], []
    assert version.policy_id is not None and version.rev is not None
    return revision_changes(conn, version.policy_id, version.rev)


def published_until(conn: Connection) -> datetime | None:
    """The instant up to which time's changes have been published: the scheduler's last
    pass, or, before its first one, the registry's first publication (every write
    publishes, in its own transaction, what it changes at once, so what is owed is only
    what time brought since). None when nothing was ever published."""
    found: datetime | None = conn.scalar(
        select(feed_clock.c.published_until).where(feed_clock.c.id == 1)
    )
    if found is None:
        found = conn.scalar(select(func.min(feed_versions.c.published_at)))
    return found


def set_published_until(conn: Connection, at: datetime) -> None:
    stored = conn.scalar(select(feed_clock.c.published_until).where(feed_clock.c.id == 1))
    if stored is None:
        conn.execute(feed_clock.insert().values(id=1, published_until=at))
    else:
        conn.execute(feed_clock.update().where(feed_clock.c.id == 1).values(published_until=at))


def _order_edges() -> list[tuple[ColumnElement[int], ColumnElement[datetime]]]:
    """(order id, instant) columns of the instants at which a whole order changes."""
    return [
        (orders.c.id, orders.c.effective_at),
        (orders.c.id, orders.c.expires_at),
        (orders.c.id, orders.c.lifted_at),
    ]


def _edges(after: datetime) -> list[tuple[ColumnElement[int], ColumnElement[datetime]]]:
    """(order id, instant) columns of every instant at which what an order blocks changes:
    the order's own, and each target's (dated amendments)."""
    return [
        *_order_edges(),
        (targets.c.order_id, targets.c.added_at),
        (targets.c.order_id, targets.c.removed_at),
    ]


#: A registration publishes, in its own transaction, what it changes at once: an order in
#: force from its registration ("without delay"), whole; an order that takes effect later,
#: nothing yet. Neither the effective instant of the first nor the `added_at` of any
#: order's first targets (its registration instant) is due again afterwards — else the
#: first scheduler pass after registering a million names (in `arret serve`, or at its
#: next start) recomputed all of them for nothing, and `/metrics` counted the
#: registration as an instant still owed while the database was busy.
_EFFECTIVE_LATER = orders.c.effective_at > orders.c.registered_at
_ADDED_LATER = targets.c.added_at != orders.c.registered_at


def _due(
    instant: ColumnElement[datetime], after: datetime, until: datetime, wanted: ColumnElement[Any]
) -> Any:
    """The query of `wanted` for one kind of edge in (after, until], without the instants
    a registration has already published."""
    query = select(wanted).where(instant > after, instant <= until)
    if instant is orders.c.effective_at:
        query = query.where(_EFFECTIVE_LATER)
    return query


def _added(conn: Connection, after: datetime, until: datetime, wanted: ColumnElement[Any]) -> Any:
    """`wanted` of the targets added in (after, until], but for those added at their
    order's registration (`_ADDED_LATER`): for each order with a target added after
    `after`, the two ranges of its targets' instants on either side of its registration,
    each read on the (order_id, added_at) index. A range query over every order's
    targets with the registration instant filtered out read each of a million names
    just registered (1.7 s of the first scheduler pass of `arret serve` after them)."""
    found: list[Any] = []
    added = targets.c.added_at
    # The orders whose latest target was added after `after`: one seek each, at the end
    # of its range of the index (not the order's last change: rows written by hand, or
    # before the checks, need not have moved it).
    latest = (
        select(added)
        .where(targets.c.order_id == orders.c.id)
        .order_by(added.desc())
        .limit(1)
        .scalar_subquery()
    )
    changed = select(orders.c.id, orders.c.registered_at).where(latest > after)
    for order_id, registered in conn.execute(changed).all():
        ranges = []
        if registered > after:  # before the registration: (after, registered) ∩ (…, until]
            high = added < registered if registered <= until else added <= until
            ranges.append((added > after, high))
        start = max(after, registered)
        if start < until:  # after the registration: (max(after, registered), until]
            ranges.append((added > start, added <= until))
        for low, high in ranges:
            found += conn.scalars(select(wanted).where(targets.c.order_id == order_id, low, high))
    return found


def due_orders(conn: Connection, after: datetime, until: datetime) -> list[int]:
    """Orders that take effect, expire or are lifted in (after, until]: every name of
    theirs is touched. One indexed range query per kind of edge."""
    found: set[int] = set()
    for order_id, instant in _order_edges():
        found.update(conn.scalars(_due(instant, after, until, order_id)))
    return sorted(found)


def due_target_names(conn: Connection, after: datetime, until: datetime) -> list[str]:
    """Names of targets added or removed (by a dated amendment) in (after, until]: only
    they are touched, not the rest of their order — an amendment of one name to an order
    of a million would otherwise make the next publication recompute the whole order."""
    found = set(_added(conn, after, until, targets.c.name))
    found.update(conn.scalars(_due(targets.c.removed_at, after, until, targets.c.name)))
    return sorted(found)


def next_instant(conn: Connection, after: datetime) -> datetime | None:
    """The first instant after `after` at which some order or allow entry changes."""
    candidates = [
        conn.scalar(select(func.min(instant)).where(instant > after))
        for _, instant in _edges(after)
        if instant is not targets.c.added_at
    ]
    # Targets added later: a seek per order on the (order_id, added_at) index (there is
    # no index on the instant alone).
    first = (
        select(targets.c.added_at)
        .where(targets.c.order_id == orders.c.id, targets.c.added_at > after)
        .order_by(targets.c.added_at)
        .limit(1)
        .scalar_subquery()
    )
    candidates.append(conn.scalar(select(func.min(first)).select_from(orders)))
    for edge in (allow_list.c.added_at, allow_list.c.removed_at):
        candidates.append(conn.scalar(select(func.min(edge)).where(edge > after)))
    found = [c for c in candidates if c is not None]
    return min(found) if found else None


def due_allow_entries(conn: Connection, after: datetime, until: datetime) -> list[str]:
    """Names added to or removed from the allow-list in (after, until]."""
    found: set[str] = set()
    for edge in (allow_list.c.added_at, allow_list.c.removed_at):
        found.update(conn.scalars(select(allow_list.c.name).where(edge > after, edge <= until)))
    return sorted(found)


def target_names(conn: Connection, order_ids: Iterable[int]) -> list[str]:
    ids = sorted(set(order_ids))
    if not ids:
        return []
    query = select(targets.c.name).where(targets.c.order_id.in_(ids)).distinct()
    return sorted(conn.scalars(query))


def target_names_up_to(conn: Connection, order_ids: Iterable[int], most: int) -> list[str] | None:
    """`target_names`, or None when the orders hold more than `most` target rows (counted
    on the index): a caller that would recompute everything past that many names need
    not read and sort a million of them first."""
    ids = sorted(set(order_ids))
    if not ids:
        return []
    rows = conn.scalar(select(func.count()).where(targets.c.order_id.in_(ids)))
    return None if int(rows or 0) > most else target_names(conn, ids)


def names_at_or_under(conn: Connection, name: str) -> list[str]:
    """Target names equal to `name` or below it (label boundary exact)."""
    query = (
        select(targets.c.name)
        .where((targets.c.name == name) | targets.c.name.endswith("." + name, autoescape=True))
        .distinct()
    )
    return sorted(conn.scalars(query))


def change_token(conn: Connection) -> tuple[object, ...]:
    """Cheap to read, and different after any event or publication: polled often by the
    feed server to notice changes made by other processes (the CLI)."""
    from arret.store.schema import events

    return (
        conn.scalar(select(func.max(events.c.id))),
        conn.scalar(select(func.count()).select_from(feed_versions)),
        conn.scalar(select(func.max(feed_versions.c.published_at))),
    )


def count_names(conn: Connection, op_id: int) -> int:
    """Names blocked in the zone: owners that are neither wildcards nor passthrus."""
    return int(
        conn.scalar(
            select(func.count())
            .select_from(feed_entries)
            .where(
                feed_entries.c.policy_id == (policy_of(conn, op_id) or -1),
                ~feed_entries.c.owner.startswith("*."),
                feed_entries.c.kind != "passthru",
            )
        )
        or 0
    )


def due_instants(conn: Connection, after: datetime, until: datetime) -> int:
    """How many distinct instants in (after, until] change what some order blocks, or
    add an allow-list entry: the publications still owed when the scheduler is behind."""
    found: set[datetime] = set(_added(conn, after, until, targets.c.added_at))
    for _, instant in _edges(after):
        if instant is not targets.c.added_at:
            found.update(conn.scalars(_due(instant, after, until, instant)))
    found.update(
        conn.scalars(
            select(allow_list.c.added_at).where(
                allow_list.c.added_at > after, allow_list.c.added_at <= until
            )
        )
    )
    return len(found)
