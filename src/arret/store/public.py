"""Reads of the public register whose cost must not grow with an order's size or with the
registry's: an order's history with its lists of names cut short, orders a page at a
time, and the orders whose names cover a name.

An event's payload holds every name it added (a registration of 100,000 names is a
payload of about 7 MB); building the event from it took 0.7 to 1.6 s at 100,000 names.
A timeline shows the first names of each step and their count, so the database cuts the
lists (its own JSON functions, in C) and Python parses what is left.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Integer, column, func, select, text

from arret.domain.events import Event, from_payload
from arret.domain.model import Order
from arret.store.bulk import matching
from arret.store.registry import _addressees, _order
from arret.store.schema import UTCDateTime, orders, targets

#: The lists of names an event's payload may hold.
LISTS = ("targets", "added", "removed")


@dataclass(frozen=True)
class Outline:
    """An event as a timeline shows it: its lists of names cut to their first names."""

    seq: int
    recorded_at: datetime
    #: The event, each of its lists of names (targets, added, removed) cut short.
    event: Event
    #: How many names it added (a registration's targets, an amendment's additions).
    added: int
    #: How many names it removed.
    removed: int


#: Per dialect: each event of an order, with each list's length (NULL when its payload has
#: no such list), the payload without its lists, and each list's first `:names` elements,
#: as JSON text. PostgreSQL converts the payload to `jsonb` once (its `json` is text,
#: parsed again by every function: 0.2 s a pass at 100,000 names); SQLite parses it per
#: function, so each list is read only for the kinds of event that have it.
_OUTLINE = {
    "postgresql": """
WITH p AS MATERIALIZED (
    SELECT id, recorded_at, payload::jsonb AS j FROM events WHERE order_id = :order_id)
SELECT id, recorded_at,
    jsonb_array_length(j -> 'targets'), jsonb_array_length(j -> 'added'),
    jsonb_array_length(j -> 'removed'),
    (j - 'targets' - 'added' - 'removed')::text,
    (SELECT jsonb_agg(x)::text FROM
        (SELECT x FROM jsonb_array_elements(j -> 'targets') x LIMIT :names) s),
    (SELECT jsonb_agg(x)::text FROM
        (SELECT x FROM jsonb_array_elements(j -> 'added') x LIMIT :names) s),
    (SELECT jsonb_agg(x)::text FROM
        (SELECT x FROM jsonb_array_elements(j -> 'removed') x LIMIT :names) s)
FROM p ORDER BY id""",
    "sqlite": """
SELECT id, recorded_at,
    CASE WHEN kind = 'order.registered' THEN json_array_length(payload, '$.targets') END,
    CASE WHEN kind = 'order.amended' THEN json_array_length(payload, '$.added') END,
    CASE WHEN kind = 'order.amended' THEN json_array_length(payload, '$.removed') END,
    json_remove(payload, '$.targets', '$.added', '$.removed'),
    CASE WHEN kind = 'order.registered' THEN (SELECT json_group_array(json(value)) FROM
        (SELECT value FROM json_each(events.payload, '$.targets') LIMIT :names)) END,
    CASE WHEN kind = 'order.amended' THEN (SELECT json_group_array(json(value)) FROM
        (SELECT value FROM json_each(events.payload, '$.added') LIMIT :names)) END,
    CASE WHEN kind = 'order.amended' THEN (SELECT json_group_array(value) FROM
        (SELECT value FROM json_each(events.payload, '$.removed') LIMIT :names)) END
FROM events WHERE order_id = :order_id ORDER BY id""",
}


def history_outline(conn: Connection, order_id: int, names: int) -> list[Outline]:
    """The order's events in the order they were recorded, each list of names cut to its
    first `names` (with the whole counts): a cost that follows `names` and the payloads'
    size in the database's C code, not Python objects for every name."""
    query = text(_OUTLINE[conn.dialect.name]).columns(
        column("id", Integer), column("recorded_at", UTCDateTime)
    )
    found = []
    for seq, recorded_at, *rest in conn.execute(query, {"order_id": order_id, "names": names}):
        counts, head, firsts = rest[:3], rest[3], rest[4:]
        payload = json.loads(head)
        for key, count, first in zip(LISTS, counts, firsts, strict=True):
            if count is not None:
                payload[key] = json.loads(first) if count else []
        added = (counts[0] or 0) + (counts[1] or 0)
        found.append(Outline(seq, recorded_at, from_payload(payload), added, counts[2] or 0))
    return found


# --- orders a page at a time ---------------------------------------------------------------


def order_count(conn: Connection) -> int:
    """How many orders the registry holds."""
    return int(conn.scalar(select(func.count()).select_from(orders)) or 0)


def orders_before(conn: Connection, before: int | None, limit: int) -> tuple[list[Order], bool]:
    """Up to `limit` orders, newest first, whose id is below `before` (all if None),
    without their targets; and whether older ones follow (keyset on the primary key)."""
    query = select(orders).order_by(orders.c.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(orders.c.id < before)
    rows = conn.execute(query).mappings().all()
    page = rows[:limit]
    addressees = _addressees(conn, [r["id"] for r in page])
    return [_order(r, addressees.get(r["id"], set()), ()) for r in page], len(rows) > limit


def orders_by_id(conn: Connection, ids: Sequence[int]) -> list[Order]:
    """The orders of `ids` (those that exist), by id, without their targets."""
    if not ids:
        return []
    rows = conn.execute(select(orders).where(orders.c.id.in_(list(ids))).order_by(orders.c.id))
    page = rows.mappings().all()
    addressees = _addressees(conn, [r["id"] for r in page])
    return [_order(r, addressees.get(r["id"], set()), ()) for r in page]


# --- which orders name a name ----------------------------------------------------------


@dataclass(frozen=True)
class Naming:
    """A target not removed whose name is one of those asked."""

    order_id: int
    name: str
    #: "exact" or "subtree".
    scope: str
    added_at: datetime


def naming(conn: Connection, candidates: Sequence[str]) -> list[Naming]:
    """The targets not removed whose name is one of `candidates` (on the names' index: a
    lookup per candidate, whatever the size of the registry), by order and name."""
    found = []
    for clause in matching(conn, targets.c.name, sorted(set(candidates))):
        # By name only, the removed ones left out here: so that no planner prefers an
        # index on the removal (as `registry.standing` found).
        columns = (targets.c.order_id, targets.c.name, targets.c.scope, targets.c.added_at)
        rows = conn.execute(select(*columns, targets.c.removed_at).where(clause))
        found += [Naming(int(o), str(n), str(s), a) for o, n, s, a, gone in rows if gone is None]
    return sorted(set(found), key=lambda n: (n.order_id, n.name))
