"""Rows as they are stored, read for audits: the registry checked against its transparency
log (`services.log`), and the log of a history recorded before it rebuilt. These readers
return what the tables hold (an event's payload as stored, a journal row as written):
checking it is the caller's job, so nothing here interprets a row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from arret.store.schema import (
    events,
    feed_changes,
    feed_digests,
    feed_policies,
    feed_versions,
    log_leaves,
    orders,
)

#: An event row: (sequence number, kind, order id or None, instant, actor, payload).
EventRow = tuple[int, str, int | None, datetime, str, Any]
#: Ids per query when events are read by id (bounded: a database limits its parameters).
BATCH = 500


def _event_columns() -> tuple[Any, ...]:
    return (events.c.id, events.c.kind, events.c.order_id, events.c.at, events.c.actor,
            events.c.payload)  # fmt: skip


def events_after(conn: Connection, last: int) -> Iterator[EventRow]:
    """The events numbered above `last`, in order."""
    query = select(*_event_columns()).where(events.c.id > last).order_by(events.c.id)
    yield from conn.execute(query)


def events_among(conn: Connection, ids: Sequence[int]) -> Iterator[EventRow]:
    """The events numbered `ids` (sorted), in order, read a batch at a time."""
    for i in range(0, len(ids), BATCH):
        query = (
            select(*_event_columns())
            .where(events.c.id.in_(ids[i : i + BATCH]))
            .order_by(events.c.id)
        )
        yield from conn.execute(query)


def recorded_payloads(conn: Connection) -> list[tuple[int, datetime, Any]]:
    """Every event as (sequence number, recorded at, payload as stored), in order."""
    query = select(events.c.id, events.c.recorded_at, events.c.payload).order_by(events.c.id)
    return [(int(seq), at, payload) for seq, at, payload in conn.execute(query)]


def confidential_orders(conn: Connection) -> dict[int, bool]:
    """Whether each order is confidential, by id."""
    return {int(i): bool(c) for i, c in conn.execute(select(orders.c.id, orders.c.confidential))}


def event_leaves(conn: Connection, start: int) -> dict[int, int]:
    """The log's leaves from index `start` on that record an event: event id -> the index
    of one of its leaves (the last the database returns)."""
    query = select(log_leaves.c.idx, log_leaves.c.event_id).where(
        log_leaves.c.event_id.is_not(None), log_leaves.c.idx >= start
    )
    return {int(event_id): int(idx) for idx, event_id in conn.execute(query)}


def leaves_containing(conn: Connection, text: str) -> list[int]:
    """The indexes of the log's leaves whose data contains `text`, in order."""
    query = select(log_leaves.c.idx).where(log_leaves.c.data.contains(text))
    return [int(i) for (i,) in conn.execute(query.order_by(log_leaves.c.idx))]


def served_revisions(conn: Connection) -> dict[int, set[int]]:
    """The revisions of each shared policy that some feed serial served: policy id ->
    revisions."""
    query = (
        select(feed_versions.c.policy_id, feed_versions.c.rev)
        .where(feed_versions.c.policy_id.is_not(None))
        .distinct()
    )
    found: dict[int, set[int]] = defaultdict(set)
    for pid, rev in conn.execute(query):
        found[int(pid)].add(int(rev))
    return found


def policies(conn: Connection) -> list[tuple[int, tuple[int, int] | None]]:
    """Every shared policy as (id, (policy it was copied from, revision copied) or None
    for one filled from nothing), by id. The two columns are written together."""
    query = select(feed_policies.c.id, feed_policies.c.base_policy, feed_policies.c.base_rev)
    return [
        (int(p), None if b is None or r is None else (int(b), int(r)))
        for p, b, r in conn.execute(query.order_by(feed_policies.c.id))
    ]


def policy_journal(
    conn: Connection, policy_id: int, after: int | None = None
) -> Iterator[tuple[int, bool, str, str]]:
    """A policy's journal rows (after revision `after` if given) as (revision, added,
    owner, kind), in the order they were written."""
    query = select(feed_changes.c.rev, feed_changes.c.added, feed_changes.c.owner,
                   feed_changes.c.kind).where(feed_changes.c.policy_id == policy_id)  # fmt: skip
    if after is not None:
        query = query.where(feed_changes.c.rev > after)
    yield from conn.execute(query.order_by(feed_changes.c.id))


def drop_digests(conn: Connection, operator_id: int) -> None:
    """Forget an operator's feed digest state (before the log of its serials is rebuilt)."""
    conn.execute(feed_digests.delete().where(feed_digests.c.operator_id == operator_id))
