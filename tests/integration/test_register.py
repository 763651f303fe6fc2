"""The public register at scale (`services.queries`, `store.public`), on SQLite and
PostgreSQL: orders a page at a time, which orders cover a name (confidential ones only
counted), and an order's history with its lists of names cut by the database — equal,
list by list, to the whole history cut in Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine

from arret.domain.events import OrderAmended, OrderLifted, OrderRegistered
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Scope, TargetSpec
from arret.errors import InvalidName
from arret.services import queries, registry
from arret.store import registry as store

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
#: When the searches are made: every order is in force then (ENDED ends a day later).
AT = T0 + timedelta(hours=1)


def register(
    conn: Connection,
    reference: str,
    targets: list[TargetSpec],
    confidential: bool = False,
    days: int = 10,
) -> int:
    draft = OrderDraft(
        reference=reference,
        authority="court",
        decided_on=T0.date(),
        targets=tuple(targets),
        all_operators=True,
        effective_at=T0,
        expires_at=T0 + timedelta(days=days),
        confidential=confidential,
    )
    return registry.register_order(conn, draft, T0, "test").id


def test_the_register_comes_a_page_at_a_time_newest_first(engine: Engine) -> None:
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        ids = {
            register(
                conn, f"R{i}", [TargetSpec(f"n{j}.r{i}.example") for j in range(1 + i % 30)]
            ): i
            for i in range(1, 121)
        }
        secret = register(conn, "SECRET", [TargetSpec("hidden.example")], confidential=True)
    with engine.connect() as conn:
        seen: list[int] = []
        before, pages = None, 0
        while True:
            page = queries.public_register_page(conn, before, 50)
            assert page.total == 121
            seen += [p.order.id for p in page.orders]
            pages += 1
            for p in page.orders:
                if p.order.id == secret:
                    assert p.first_names == [] and p.names == 1
                    continue
                i = ids[p.order.id]
                assert p.names == 1 + i % 30
                shown = min(1 + i % 30, queries.LISTED_NAMES)
                assert p.first_names == [f"n{j}.r{i}.example" for j in range(shown)]
            if page.next_before is None:
                break
            before = page.next_before
    assert pages == 3
    assert seen == sorted([*ids, secret], reverse=True)  # each once, newest first
    with engine.connect() as conn:
        assert queries.public_register_page(conn, min(ids), 50).orders == []
        assert queries.public_register_page(conn, min(ids), 50).next_before is None


def test_which_orders_cover_a_name(engine: Engine) -> None:
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        whole = register(conn, "WHOLE", [TargetSpec("leak.example")])
        exact = register(conn, "EXACT", [TargetSpec("www.leak.example", Scope.EXACT)])
        deeper = register(conn, "DEEPER", [TargetSpec("a.www.leak.example"),
                                           TargetSpec("leak.example")])  # fmt: skip
        secret = register(conn, "SECRET", [TargetSpec("leak.example")], confidential=True)
        gone = register(conn, "GONE", [TargetSpec("leak.example"), TargetSpec("other.example")])
        registry.amend_order(conn, gone, T0, "test", remove=["leak.example"])
        ended = register(conn, "ENDED", [TargetSpec("www.leak.example")], days=1)

    with engine.connect() as conn:
        found = queries.search_name(conn, "WWW.Leak.Example.", AT)
        assert found.name == "www.leak.example"
        by_id = {c.order.id: (c.target, c.scope) for c in found.orders}
        assert by_id == {
            whole: ("leak.example", Scope.SUBTREE),
            exact: ("www.leak.example", Scope.EXACT),
            deeper: ("leak.example", Scope.SUBTREE),
            ended: ("www.leak.example", Scope.SUBTREE),  # the register keeps ended orders
        }
        assert [c.order.id for c in found.orders] == sorted(by_id, reverse=True)
        assert found.confidential == 1 and secret not in by_id
        assert gone not in by_id  # its name was removed

        # Below an exact name: not covered by it; the closest subtree name is given.
        below = queries.search_name(conn, "x.a.www.leak.example", AT)
        assert {c.order.id: c.target for c in below.orders} == {
            whole: "leak.example",
            deeper: "a.www.leak.example",
            ended: "www.leak.example",
        }
        # A name above the targets is not covered by them.
        assert queries.search_name(conn, "sub.example", AT).orders == []
        nothing = queries.search_name(conn, "unrelated.example", AT)
        assert nothing.orders == [] and nothing.confidential == 0

        # One order's page asks only about its own names.
        mine = queries.search_name(conn, "www.leak.example", AT, exact)
        assert [c.order.id for c in mine.orders] == [exact] and mine.confidential == 0
        assert queries.search_name(conn, "other.example", AT, whole).orders == []
        # An IDN is searched as its A-label.
        assert queries.search_name(conn, "bücher.example", AT).name == "xn--bcher-kva.example"
        for bad in ("not a name", "example", "192.0.2.1"):
            with pytest.raises(InvalidName):
                queries.search_name(conn, bad, AT)


def test_a_confidential_order_is_counted_only_while_it_blocks_the_name(engine: Engine) -> None:
    """What every addressed resolver shows anyway, and nothing more: not before the order
    or its name takes effect, not after it ends."""
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        secret = register(conn, "SECRET", [TargetSpec("leak.example")], confidential=True)
        registry.amend_order(conn, secret, T0, "test", add=[TargetSpec("later.example")],
                             at=T0 + timedelta(days=2))  # fmt: skip
        public = register(conn, "PUBLIC", [TargetSpec("leak.example")])

    def seen(name: str, at: datetime) -> tuple[list[int], int]:
        with engine.connect() as conn:
            found = queries.search_name(conn, name, at)
        return [c.order.id for c in found.orders], found.confidential

    assert seen("www.leak.example", T0 - timedelta(hours=1)) == ([public], 0)
    assert seen("www.leak.example", AT) == ([public], 1)
    assert seen("www.leak.example", T0 + timedelta(days=10)) == ([public], 0)  # both ended
    assert seen("later.example", AT) == ([], 0)  # its name takes effect on day 2
    assert seen("later.example", T0 + timedelta(days=3)) == ([], 1)


def _lists(event: object) -> dict[str, tuple[object, ...]]:
    if isinstance(event, OrderRegistered):
        return {"added": event.targets}
    if isinstance(event, OrderAmended):
        return {"added": event.added, "removed": event.removed}
    return {}


@pytest.mark.parametrize("per_step", [1, 3, 100])
def test_an_outlined_history_is_the_whole_history_cut_short(engine: Engine, per_step: int) -> None:
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", T0, "test")
        big = [TargetSpec(f"n{i:03d}.big.example", Scope.EXACT if i % 3 else Scope.SUBTREE)
               for i in range(250)]  # fmt: skip
        order_id = register(conn, "BIG", big, confidential=per_step == 3)
        registry.amend_order(conn, order_id, T0, "test",
                             add=[TargetSpec(f"m{i}.big.example") for i in range(5)],
                             remove=[f"n{i:03d}.big.example" for i in range(0, 150, 2)],
                             expires_at=T0 + timedelta(days=20))  # fmt: skip
        registry.amend_order(conn, order_id, T0, "test", remove=["m0.big.example"])
        registry.lift_order(conn, order_id, T0 + timedelta(days=1), "test", "done")

    with engine.connect() as conn:
        whole = store.history(conn, order_id)
        cut, counts = queries.outlined_history(conn, order_id, per_step)
    assert [(s, r) for s, r, _ in cut] == [(s, r) for s, r, _ in whole]
    assert [type(e) for _, _, e in cut] == [type(e) for _, _, e in whole]
    for (seq, _, full), (_, _, short) in zip(whole, cut, strict=True):
        lists, shorts = _lists(full), _lists(short)
        assert set(lists) == set(shorts)
        for key, values in lists.items():
            assert shorts[key] == values[:per_step]
        assert counts[seq] == (len(lists.get("added", ())), len(lists.get("removed", ())))
        # Everything else is the same.
        assert full.at == short.at and full.actor == short.actor
    registered, first, second, lifted = (e for _, _, e in cut)
    assert isinstance(registered, OrderRegistered) and registered.terms.confidential == (
        per_step == 3
    )
    assert isinstance(first, OrderAmended) and first.expires_at == T0 + timedelta(days=20)
    assert counts[cut[1][0]] == (5, 75) and counts[cut[2][0]] == (0, 1)
    assert isinstance(second, OrderAmended) and second.removed == ("m0.big.example",)
    assert isinstance(lifted, OrderLifted) and lifted.reason == "done"
