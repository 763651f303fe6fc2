"""Migrations 0010f and 0010g: the index on `targets.removed_at` keeps removed targets
only, and the one on `targets.added_at` becomes one on (order_id, added_at). A registry
with removals and additions, dated ones among them, upgraded from 0010e and downgraded
back: the feed's and the registry's questions about them get the same answers at each
step, and after the upgrade the database answers them from the new indexes — on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select, text

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.services import registry
from arret.store import feed as store_feed
from arret.store import registry as store_registry
from arret.store.db import _alembic_config, migrate
from arret.store.schema import targets

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def _to(conn: Connection, revision: str) -> None:
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = conn
    if revision == "0010e":
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


def _index(conn: Connection, name: str = "ix_targets_removed_at") -> str:
    if conn.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = :name"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    return str(conn.scalar(text(query), {"name": name}))


def _answers(conn: Connection, order_id: int) -> tuple[object, ...]:
    """What the feed and the registry ask of removals."""
    day, minute = timedelta(days=1), timedelta(minutes=1)
    # Counted from the targets: the kept count is newer than 0010e.
    current = store_registry.counted_target_count(conn, order_id)
    return (
        store_feed.due_target_names(conn, NOW - minute, NOW + 3 * day),
        store_feed.due_target_names(conn, NOW + 6 * minute, NOW + 3 * day),
        store_feed.due_instants(conn, NOW - minute, NOW + 3 * day),
        store_feed.next_instant(conn, NOW + minute),
        store_feed.next_instant(conn, NOW + 6 * minute),
        store_registry.present_target_count(conn, order_id, NOW + minute, current),
        store_registry.present_target_count(conn, order_id, NOW + 3 * day, current),
        current,
    )


def _plan(conn: Connection) -> str:
    """How the database finds the removals after an instant (indexes preferred)."""
    query = "SELECT min(removed_at) FROM targets WHERE removed_at > :at"
    at = NOW.replace(tzinfo=None).isoformat(sep=" ") if conn.dialect.name == "sqlite" else NOW
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + query), {"at": at})
        return " ".join(str(r[-1]) for r in rows)
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    rows = conn.execute(text("EXPLAIN " + query), {"at": at})
    return " ".join(str(r[0]) for r in rows)


def test_upgrade_from_0010e_with_removals_and_back(engine: Engine) -> None:
    names = [f"n{i}.example" for i in range(40)]
    draft = OrderDraft(
        reference="R", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n) for n in names), all_operators=True,
        expires_at=NOW + timedelta(days=30),
    )  # fmt: skip
    # Written by this code, then taken down to 0010e (which this code cannot write to: it
    # keeps each order's count of names, 0010j) with the data in place.
    with engine.begin() as conn:
        registry.add_operator(conn, "isp", NOW, "t")
        order = registry.register_order(conn, draft, NOW, "t")
        later = NOW + timedelta(minutes=5)
        registry.amend_order(conn, order.id, later, "t", remove=names[:3])
        dated = later + timedelta(days=2)
        registry.amend_order(conn, order.id, later, "t", remove=names[3:5], at=dated)
        added = [TargetSpec("late.example")]
        registry.amend_order(conn, order.id, later, "t", add=added, at=dated)
    with engine.begin() as conn:
        _to(conn, "0010e")
        assert "WHERE" not in _index(conn).upper()
        before = _answers(conn, order.id)
        # Not the names added at the registration, which it published itself.
        assert before[0] == sorted([*names[:5], "late.example"])
        assert before[1] == sorted([*names[3:5], "late.example"])
        assert before[2] == 2  # the amendment's instant and the dated one
        assert before[3] == later and before[4] == dated
        assert before[5:] == (40, 36, 36)
    migrate(engine)
    with engine.begin() as conn:
        assert "removed_at IS NOT NULL" in _index(conn)
        assert "order_id, added_at" in _index(conn, "ix_targets_order_id_added_at")
        assert _index(conn, "ix_targets_added_at") == "None"
        assert _answers(conn, order.id) == before
        assert "ix_targets_removed_at" in _plan(conn)
        indexed = conn.scalar(select(func.count()).where(targets.c.removed_at.is_not(None)))
        assert indexed == 5
    with engine.begin() as conn:
        _to(conn, "0010e")
        assert "WHERE" not in _index(conn).upper()
        assert _index(conn, "ix_targets_order_id_added_at") == "None"
        assert "added_at" in _index(conn, "ix_targets_added_at")
        assert _answers(conn, order.id) == before
