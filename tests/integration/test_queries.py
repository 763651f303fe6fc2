"""The registry's questions the CLI, the API and the web UI share (`services.queries`), on
SQLite and PostgreSQL: orders at an instant, filtered as each edge filters them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Status, TargetSpec
from arret.errors import NotFound
from arret.services import queries, registry

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_orders_at_an_instant_by_operator_status_and_reader(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in ("free", "orange"):
            registry.add_operator(conn, name, T0, "test")

        def order(ref: str, names: int, operators: tuple[str, ...], at: datetime) -> int:
            draft = OrderDraft(
                reference=ref,
                authority="court",
                decided_on=T0.date(),
                targets=tuple(TargetSpec(f"n{i}.{ref.lower()}.example") for i in range(names)),
                operators=operators,
                effective_at=at,
                expires_at=at + timedelta(days=10),
            )
            return registry.register_order(conn, draft, at, "clerk").id

        a = order("A", 3, ("orange",), T0)
        b = order("B", 1, ("free", "orange"), T0 + timedelta(days=1))
        c = order("C", 2, ("free",), T0 + timedelta(days=20))

    def ids(found: list[queries.Listed]) -> list[tuple[int, int]]:
        return [(f.order.id, f.names) for f in found]

    day5, day10h, day25 = (T0 + timedelta(days=d) for d in (5, 10.5, 25))
    with engine.connect() as conn:
        # Only what was registered by the instant, oldest first, with its names (an
        # order that ended keeps them: they are its targets, not what is blocked).
        assert ids(queries.orders_at(conn, day5)) == [(a, 3), (b, 1)]
        assert ids(queries.orders_at(conn, day25)) == [(a, 3), (b, 1), (c, 2)]
        assert ids(queries.orders_at(conn, day5, operator="free")) == [(b, 1)]
        # Ten days each: A has ended by day 10.5, B (a day younger) is still in force.
        assert ids(queries.orders_at(conn, day10h, status=Status.EXPIRED)) == [(a, 3)]
        assert ids(queries.orders_at(conn, day10h, status=Status.IN_FORCE)) == [(b, 1)]
        assert ids(queries.orders_at(conn, day25, reader=lambda o: o.id != b)) == [(a, 3), (c, 2)]
        with pytest.raises(NotFound, match="orange"):
            queries.orders_at(conn, day5, operator="sfr")
        assert [o.name for o in queries.operators(conn)] == ["free", "orange"]
