"""The count of names each order keeps (`orders.current_targets`, migration 0010j) is the
count of its targets after every kind of write, on both backends; `log verify` catches a
count that drifted from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.errors import InvalidOrder
from arret.services import log as log_service
from arret.services import registry
from arret.store import registry as store
from arret.store.schema import orders
from arret.tlog.verify import Report

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def draft(names: list[str]) -> OrderDraft:
    return OrderDraft(
        reference="R", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n) for n in names), operators=(), all_operators=True,
        expires_at=NOW + timedelta(days=30),
    )  # fmt: skip


def counts(engine: Engine, order_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        return (store.current_target_count(conn, order_id),
                store.counted_target_count(conn, order_id))  # fmt: skip


def test_the_kept_count_follows_every_write_and_a_drift_is_reported(engine: Engine) -> None:
    at = NOW
    with engine.begin() as conn:
        registry.add_operator(conn, "isp", at, "test")
        first = registry.register_order(conn, draft([f"a{i}.example" for i in range(50)]),
                                        at, "clerk").id  # fmt: skip
        other = registry.register_order(conn, draft(["b.example"]), at, "clerk").id
    assert counts(engine, first) == (50, 50) and counts(engine, other) == (1, 1)
    steps = [
        {"add": [TargetSpec("m0.example"), TargetSpec("m1.example")]},
        {"remove": ["a0.example", "a1.example", "a2.example"]},
        {"add": [TargetSpec("a0.example")], "remove": ["m0.example"]},  # back, and out
        {"expires_at": NOW + timedelta(days=60)},  # no name changes
    ]
    expected = 50
    for change in steps:
        at += timedelta(minutes=1)
        with engine.begin() as conn:
            done = registry.amend_order(conn, first, at, "clerk", **change)  # type: ignore[arg-type]
        expected += len(change.get("add", [])) - len(change.get("remove", []))
        assert done.targets == expected
        assert counts(engine, first) == (expected, expected), change
    # Refused amendments change nothing, the count included.
    for bad in ({"add": [TargetSpec("a5.example")]}, {"remove": ["absent.example"]}):
        with pytest.raises(InvalidOrder), engine.begin() as conn:
            registry.amend_order(conn, first, at, "clerk", **bad)  # type: ignore[arg-type]
        assert counts(engine, first) == (expected, expected), bad
    # A lift ends the order; its names stay its targets (history), counted as before.
    with engine.begin() as conn:
        registry.lift_order(conn, other, at, "clerk", "done")
    assert counts(engine, other) == (1, 1)
    with engine.connect() as conn:
        assert dict(store.current_target_counts(conn)) == {first: expected, other: 1}

    with engine.begin() as conn:
        report = Report()
        log_service.registry_problems(conn, report)
        assert report.problems == []
        conn.execute(update(orders).where(orders.c.id == first).values(current_targets=7))
        log_service.registry_problems(conn, report)
        said = [p.message for p in report.problems]
        assert said == [f"order {first} says it has 7 names; its targets are {expected:,}"]
