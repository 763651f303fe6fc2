"""An operator's feed as it stands: serial, size, recent changes — for the API, the
operator's page and `/metrics`; and an operator at an instant (its orders, its policy's
size, its serial and keys) for `arret operator show`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.domain.model import Operator, OperatorKey, Order
from arret.errors import NotFound
from arret.rpz.zone import Entry
from arret.services import feed, registry
from arret.store import feed as store_feed
from arret.store import keys as store_keys
from arret.store import registry as store


@dataclass(frozen=True)
class FeedStatus:
    operator: str
    serial: int | None
    published_at: datetime | None
    #: Records in the zone (a subtree name has two: the name and its wildcard).
    records: int
    #: Names blocked (owners that are neither wildcards nor allow-list passthrus).
    names: int
    versions: int


@dataclass(frozen=True)
class Change:
    serial: int
    published_at: datetime
    removed: list[Entry]
    added: list[Entry]


def feed_status(conn: Connection, operator: str) -> FeedStatus:
    # Two indexed look-ups, not every serial ever published: `/metrics` asks this of
    # every operator at every scrape, and the versions grow with each publication.
    op_id = store_feed.operator_id(conn, operator)
    latest = store_feed.latest(conn, op_id)
    return FeedStatus(
        operator,
        latest.serial if latest else None,
        latest.published_at if latest else None,
        store_feed.count_entries(conn, op_id),
        store_feed.count_names(conn, op_id),
        store_feed.version_count(conn, op_id),
    )


def changes_since(
    conn: Connection, operator: str, serial: int | None, limit: int = 50
) -> list[Change]:
    """The journal after `serial` (all of it when None), in order of publication; at most
    the `limit` latest serials."""
    op_id = store_feed.operator_id(conn, operator)
    versions = store_feed.versions(conn, op_id)
    if serial is not None:
        positions = [i for i, v in enumerate(versions) if v.serial == serial]
        if not positions:
            raise NotFound(
                f"operator {operator!r} never published serial {serial}; its serials run "
                f"from {versions[0].serial} to {versions[-1].serial}"
                if versions
                else f"operator {operator!r} has published nothing yet"
            )
        start = positions[0] + 1
    else:
        start = 0
    out = []
    for i in range(max(start, len(versions) - limit), len(versions)):
        version = versions[i]
        removed, added = store_feed.changes_of(conn, versions[i - 1] if i else None, version)
        out.append(Change(version.serial, version.published_at, removed, added))
    return out


@dataclass(frozen=True)
class OperatorStatus:
    """An operator at an instant."""

    operator: Operator
    #: Every order addressed to it (without targets), in force or not, oldest first.
    orders: list[Order]
    #: The ids of those in force at the instant.
    in_force: list[int]
    #: Rules in its policy at the instant.
    rules: int
    #: Its feed's serial at the instant (0 before its first publication).
    serial: int
    #: Its TSIG keys, retired ones included, oldest first.
    keys: list[OperatorKey]


def operator_status(conn: Connection, name: str, at: datetime) -> OperatorStatus:
    """The operator called `name` at `at`; NotFound (naming those that exist) otherwise."""
    op = store.get_operator(conn, name)
    addressed = store.list_orders(conn, operator=name)
    return OperatorStatus(
        op,
        addressed,
        [o.id for o in addressed if o.in_force_at(at)],
        registry.rule_count(conn, name, at),
        feed.serial_at(conn, name, at),
        store_keys.keys(conn, name),
    )
