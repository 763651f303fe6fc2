"""An operator's feed as it stands: serial, size, recent changes — for the API, the
operator's page and `/metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.errors import NotFound
from arret.rpz.zone import Entry
from arret.store import feed as store_feed


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
    op_id = store_feed.operator_id(conn, operator)
    versions = store_feed.versions(conn, op_id)
    latest = versions[-1] if versions else None
    return FeedStatus(
        operator,
        latest.serial if latest else None,
        latest.published_at if latest else None,
        store_feed.count_entries(conn, op_id),
        store_feed.count_names(conn, op_id),
        len(versions),
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
