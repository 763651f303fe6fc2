"""Rows of the feed: serials, the zone's current entries, the journal, the clock.

Like `arret.store.registry`, every function works in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, delete, func, select

from arret.rpz.zone import Delta, Entry
from arret.store import log
from arret.store.bulk import insert_rows, matching
from arret.store.schema import (
    allow_list,
    feed_changes,
    feed_clock,
    feed_entries,
    feed_settings,
    feed_versions,
    operators,
    orders,
    targets,
)
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


def operator_id(conn: Connection, name: str) -> int:
    found = conn.scalar(select(operators.c.id).where(operators.c.name == name))
    assert found is not None, f"operator {name!r} checked by the caller"
    return int(found)


def latest(conn: Connection, op_id: int) -> Version | None:
    row = conn.execute(
        select(feed_versions)
        .where(feed_versions.c.operator_id == op_id)
        .order_by(feed_versions.c.published_at.desc(), feed_versions.c.serial.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Version(row.serial, row.published_at, row.entries, row.added, row.removed, row.rewrite)


def versions(conn: Connection, op_id: int) -> list[Version]:
    rows = conn.execute(
        select(feed_versions)
        .where(feed_versions.c.operator_id == op_id)
        .order_by(feed_versions.c.published_at, feed_versions.c.serial)
    )
    return [
        Version(r.serial, r.published_at, r.entries, r.added, r.removed, r.rewrite) for r in rows
    ]


def entries(conn: Connection, op_id: int, owners: Sequence[str] | None = None) -> list[Entry]:
    """The zone's current entries (only those with the given owners), sorted."""
    base = select(feed_entries.c.owner, feed_entries.c.kind).where(
        feed_entries.c.operator_id == op_id
    )
    # A handful of kinds for up to millions of rows: one string object each, not one per
    # row (about 50 bytes a row; 100 MB of a zone of 2,000,000 records held by the server).
    kinds: dict[str, str] = {}
    if owners is None:
        return sorted((o, kinds.setdefault(k, k)) for o, k in conn.execute(base))
    found: list[Entry] = []
    for clause in matching(conn, feed_entries.c.owner, owners):
        found += [(o, kinds.setdefault(k, k)) for o, k in conn.execute(base.where(clause))]
    return sorted(found)


def record_version(
    conn: Connection,
    op_id: int,
    serial: int,
    change: Delta,
    at: datetime,
    total: int,
    rewrite: bool = False,
) -> None:
    """Write a new serial: its journal entry, the zone's new current entries, and its
    leaf in the transparency log (entries and policy digest), all in `conn`'s transaction."""
    digest = log.advance_digest(conn, op_id, change)
    removed_owners = [owner for owner, _ in change.removed]
    for clause in matching(conn, feed_entries.c.owner, removed_owners):
        conn.execute(delete(feed_entries).where(feed_entries.c.operator_id == op_id, clause))
    insert_rows(
        conn,
        feed_entries,
        [{"operator_id": op_id, "owner": o, "kind": k} for o, k in change.added],
    )
    journal = [
        {"operator_id": op_id, "serial": serial, "added": False, "owner": o, "kind": k}
        for o, k in change.removed
    ] + [
        {"operator_id": op_id, "serial": serial, "added": True, "owner": o, "kind": k}
        for o, k in change.added
    ]
    insert_rows(conn, feed_changes, journal)
    conn.execute(
        feed_versions.insert().values(
            operator_id=op_id,
            serial=serial,
            published_at=at,
            entries=total,
            added=len(change.added),
            removed=len(change.removed),
            rewrite=rewrite,
        )
    )
    record = feed_record(log.operator_name(conn, op_id), serial, total, digest)
    log.append(conn, record, at, operator_id=op_id, serial=serial)


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


def has_kind(conn: Connection, op_id: int, kind: str) -> bool:
    query = select(feed_entries.c.owner).where(
        feed_entries.c.operator_id == op_id, feed_entries.c.kind == kind
    )
    return conn.execute(query.limit(1)).first() is not None


def count_entries(conn: Connection, op_id: int) -> int:
    return int(
        conn.scalar(
            select(func.count())
            .select_from(feed_entries)
            .where(feed_entries.c.operator_id == op_id)
        )
        or 0
    )


def journal(conn: Connection, op_id: int, serial: int) -> tuple[list[Entry], list[Entry]]:
    """(removed, added) entries of one serial."""
    rows = conn.execute(
        select(feed_changes.c.added, feed_changes.c.owner, feed_changes.c.kind)
        .where(feed_changes.c.operator_id == op_id, feed_changes.c.serial == serial)
        .order_by(feed_changes.c.id)
    )
    removed: list[Entry] = []
    added: list[Entry] = []
    for is_added, owner, kind in rows:
        (added if is_added else removed).append((owner, kind))
    return removed, added


def published_until(conn: Connection) -> datetime | None:
    return conn.scalar(select(feed_clock.c.published_until).where(feed_clock.c.id == 1))


def set_published_until(conn: Connection, at: datetime) -> None:
    if published_until(conn) is None:
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


def due_orders(conn: Connection, after: datetime, until: datetime) -> list[int]:
    """Orders that take effect, expire or are lifted in (after, until]: every name of
    theirs is touched. One indexed range query per kind of edge."""
    found: set[int] = set()
    for order_id, instant in _order_edges():
        found.update(conn.scalars(select(order_id).where(instant > after, instant <= until)))
    return sorted(found)


def due_target_names(conn: Connection, after: datetime, until: datetime) -> list[str]:
    """Names of targets added or removed (by a dated amendment) in (after, until]: only
    they are touched, not the rest of their order — an amendment of one name to an order
    of a million would otherwise make the next publication recompute the whole order."""
    found: set[str] = set()
    for edge in (targets.c.added_at, targets.c.removed_at):
        found.update(conn.scalars(select(targets.c.name).where(edge > after, edge <= until)))
    return sorted(found)


def next_instant(conn: Connection, after: datetime) -> datetime | None:
    """The first instant after `after` at which some order or allow entry changes."""
    candidates = [
        conn.scalar(select(func.min(instant)).where(instant > after))
        for _, instant in _edges(after)
    ]
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
                feed_entries.c.operator_id == op_id,
                ~feed_entries.c.owner.startswith("*."),
                feed_entries.c.kind != "passthru",
            )
        )
        or 0
    )


def due_instants(conn: Connection, after: datetime, until: datetime) -> int:
    """How many distinct instants in (after, until] change what some order blocks, or
    add an allow-list entry: the publications still owed when the scheduler is behind."""
    found: set[datetime] = set()
    for _, instant in _edges(after):
        found.update(conn.scalars(select(instant).where(instant > after, instant <= until)))
    found.update(
        conn.scalars(
            select(allow_list.c.added_at).where(
                allow_list.c.added_at > after, allow_list.c.added_at <= until
            )
        )
    )
    return len(found)
