"""The registry's questions the CLI, the API and the web UI share (`services.queries`,
`services.status`, `services.evidence`), on SQLite and PostgreSQL: orders at an instant,
filtered as each edge filters them; an order's detail, paged; an order as the public reads
it; an operator at an instant; probe results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from arret.domain.access import Kind as RoleKind
from arret.domain.access import Principal, Role
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, Status, TargetSpec
from arret.errors import Forbidden, NotFound
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose
from arret.services import evidence, queries, registry
from arret.services.status import operator_status
from arret.store import probes as store_probes

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


def draft(
    ref: str, names: int, operators: tuple[str, ...], confidential: bool = False
) -> OrderDraft:
    return OrderDraft(
        reference=ref,
        authority="court",
        decided_on=T0.date(),
        targets=tuple(TargetSpec(f"n{i}.{ref.lower()}.example") for i in range(names)),
        operators=operators,
        effective_at=T0,
        expires_at=T0 + timedelta(days=10),
        confidential=confidential,
    )


def operator_token(name: str) -> Principal:
    return Principal(Role(RoleKind.OPERATOR, name), 1, f"(token 1, operator:{name})")


def test_an_orders_detail_its_pages_and_what_the_public_reads(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in ("free", "orange"):
            registry.add_operator(conn, name, T0, "test")
        a = registry.register_order(conn, draft("A", 3, ("orange",)), T0, "clerk").id
        secret = draft("S", 2, ("free",), confidential=True)
        s = registry.register_order(conn, secret, T0, "clerk").id
        day1, day2 = T0 + timedelta(days=1), T0 + timedelta(days=2)
        registry.amend_order(conn, a, day1, "clerk", remove=["n0.a.example"])

    with engine.connect() as conn:
        # Read by those it is addressed to (and by everyone when no reader is given).
        with pytest.raises(Forbidden, match="free"):
            queries.order_head(conn, a, operator_token("free"))
        head = queries.order_head(conn, a, operator_token("orange"))
        assert head.id == a and head.targets == () and queries.order_head(conn, a).id == a
        with pytest.raises(NotFound):
            queries.order_head(conn, 999)

        # At T0 all three names were present, after the amendment two are; the page lists
        # the removed one too, in order of addition, and says where to go on.
        assert queries.order_detail(conn, head, T0, 0, 2).names == 3
        found = queries.order_detail(conn, head, day2, 0, 2)
        assert found.names == 2 and found.order is head
        assert [t.name for t in found.targets.targets] == ["n0.a.example", "n1.a.example"]
        assert found.targets.targets[0].removed_at == day1
        assert found.targets.total == 3 and found.targets.next_after is not None
        rest = queries.targets_page(conn, a, found.targets.next_after, 2)
        assert [t.name for t in rest.targets] == ["n2.a.example"] and rest.next_after is None
        kinds = [type(e).__name__ for _, _, e in found.history]
        assert kinds == ["OrderRegistered", "OrderAmended"]
        assert [h[0] for h in queries.history(conn, a)] == [h[0] for h in found.history]
        assert queries.present_names(conn, a, T0) == 3 and queries.current_names(conn, a) == 2

        # The CLI's `order show` reads every target, removed ones included.
        full = queries.order_in_full(conn, a)
        assert len(full.order.targets) == 3 and len(full.history) == 2

        # The public reads current names a page at a time; of a confidential order, only
        # how many there are.
        public = queries.public_order(conn, a, 0, 1)
        assert public.names.count == 2 and public.names.names == ["n1.a.example"]
        assert public.names.next_after is not None and len(public.history) == 2
        last = queries.public_names(conn, public.order, public.names.next_after, 1)
        assert last == queries.Names(2, ["n2.a.example"], None)
        hidden = queries.public_order(conn, s, 0, 10)
        assert hidden.names == queries.Names(2, None, None)

        # The registry's history, after a sequence number, at most `limit` of it.
        everything = queries.events(conn, 0, 100)
        assert [type(e).__name__ for _, _, e in everything].count("OperatorAdded") == 2
        assert queries.events(conn, everything[1][0], 2) == everything[2:4]


def test_an_operator_at_an_instant_and_its_probe_results(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in ("free", "orange"):
            registry.add_operator(conn, name, T0, "test")
        a = registry.register_order(conn, draft("A", 3, ("orange",)), T0, "clerk").id
        b = registry.register_order(conn, draft("B", 1, ("free", "orange")), T0, "clerk").id
        registry.lift_order(conn, b, T0 + timedelta(days=1), "clerk", "settled")

        def result(operator: str, minutes: int) -> Result:
            return Result(operator, "127.0.0.1:5301", "n0.a.example", "n0.a.example",
                          Purpose.IN_FORCE, (a,), T0, Action.NXDOMAIN, Kind.BLOCKED,
                          Action.NXDOMAIN, T0 + timedelta(minutes=minutes), 0.004,
                          "NXDOMAIN")  # fmt: skip

        store_probes.save(conn, [result("orange", 1), result("free", 2), result("orange", 3)])

    with engine.connect() as conn:
        now = operator_status(conn, "orange", T0 + timedelta(days=2))
        assert [o.id for o in now.orders] == [a, b] and now.in_force == [a]
        assert now.rules == 3 and [k.name for k in now.keys] == ["orange-1.tsig.arret."]
        assert now.serial > 0  # published
        assert operator_status(conn, "orange", T0 - timedelta(days=1)).serial == 0
        with pytest.raises(NotFound, match="orange"):
            operator_status(conn, "sfr", T0)

        def seen(found: list[Result]) -> list[tuple[str, int]]:
            return [(r.operator, int((r.at - T0).total_seconds() // 60)) for r in found]

        assert seen(evidence.results(conn, T0)) == [("orange", 1), ("free", 2), ("orange", 3)]
        assert seen(evidence.results(conn, T0, ["orange"])) == [("orange", 1), ("orange", 3)]
        assert seen(evidence.results(conn, T0 + timedelta(minutes=2), ["orange", "free"])) == [
            ("free", 2),
            ("orange", 3),
        ]
        with pytest.raises(NotFound, match="sfr"):
            evidence.results(conn, T0, ["orange", "sfr"])


def test_a_feed_s_status_reads_its_newest_serial_not_every_one(engine: Engine) -> None:
    """`/metrics` asks every operator's feed status at every scrape, and serials grow with
    every publication: the status reads the newest serial and a count, never the list."""
    from sqlalchemy import event as sql_event

    from arret.services import feed
    from arret.services.status import feed_status

    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        for day in range(3):
            at = T0 + timedelta(days=day, hours=1)
            registry.register_order(conn, draft(f"R{day}", 1, ("orange",)), at, "c")
    statements: list[str] = []

    def seen(_c: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with engine.connect() as conn:
        sql_event.listen(engine, "before_cursor_execute", seen)
        try:
            status = feed_status(conn, "orange")
        finally:
            sql_event.remove(engine, "before_cursor_execute", seen)
        newest = feed.serial_at(conn, "orange", T0 + timedelta(days=5))
    # The operator's first (empty) serial, then one per registration.
    assert (status.serial, status.names, status.versions) == (newest, 3, 4)
    reading = [s for s in statements if "feed_versions" in s]
    assert reading and all("LIMIT" in s or "count(" in s for s in reading), reading
