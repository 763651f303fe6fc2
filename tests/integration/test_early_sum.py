"""A large registration works out its zone entries and their multiset sum before it
writes (the sum in a child process, `arret.store.multisum`), and writes its payload from
its names' texts (encoded once for the row and the log leaves): the sum it stores must be
the sum of the entries stored — when the order's entries are the whole change and the
early sum is used, when other orders already cover the operators and it is not, and
when the order takes effect later —, its payload must read back as its event, and the
registry must verify (`arret log verify`'s replay of the sums), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from arret.domain.events import OrderRegistered
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, Scope, TargetSpec
from arret.services import log as log_service
from arret.services import registry
from arret.store import feed as store_feed
from arret.store import multisum
from arret.store import registry as store_registry
from arret.tlog import multiset
from arret.tlog.verify import Report

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def test_the_child_sums_exactly_as_multiset_add() -> None:
    entries = [(f"*.n{i}.example", "nxdomain") for i in range(300)]
    entries += [(f"n{i}.example", "nodata") for i in range(200)]
    by_kind: dict[str, list[str]] = {}
    for owner, kind in entries:
        by_kind.setdefault(kind, []).append(owner)
    blob = multisum.encode(by_kind)
    assert blob is not None
    assert multisum.start(blob).result() == multiset.add(0, b"", entries)
    # Lines that could not be read back as written are not sent.
    assert multisum.encode({"nxdomain": ["a\nb.example"]}) is None
    assert multisum.encode({"a kind": ["a.example"]}) is None


def test_a_child_that_gives_no_sum_says_none_and_one_can_be_stopped() -> None:
    assert multisum.start(b"\xff not utf-8 nxdomain\n").result() is None
    stopped = multisum.start(b"a.example nxdomain\n" * 200_000)
    stopped.cancel()
    assert stopped.result() is None


def _order(names: list[str], effective: datetime | None = None, **kw: object) -> OrderDraft:
    return OrderDraft(
        reference="R", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n, **kw) for n in names),  # type: ignore[arg-type]
        all_operators=True, effective_at=effective, expires_at=NOW + timedelta(days=30),
    )  # fmt: skip


def _sums_match(conn: Connection) -> None:
    for op_id in store_feed.operator_ids(conn).values():
        pid = store_feed.policy_of(conn, op_id)
        assert pid is not None
        stored = store_feed.policy(conn, pid)
        entries = store_feed.policy_entries(conn, pid)
        assert stored.entries == len(entries)
        assert stored.total == multiset.add(0, b"", entries)


def _verifies(conn: Connection) -> None:
    report = Report()
    log_service.registry_problems(conn, report)
    assert [str(p) for p in report.problems] == []


def test_large_registrations_store_the_sum_of_their_entries(engine: Engine) -> None:
    n = registry.LARGE + 1
    with engine.begin() as conn:
        for op in ("isp1", "isp2"):
            registry.add_operator(conn, op, NOW, "test")
        # Nothing else covers the operators: the early sum is the change's.
        first = [f"a{i}.example" for i in range(n)]
        order = registry.register_order(conn, _order(first), NOW, "t")
        _sums_match(conn)
        # Its payload was written from its names' texts: it reads back as the event.
        ((_, _, event),) = store_registry.history(conn, order.id)
        assert isinstance(event, OrderRegistered)
        assert [t.name for t in event.targets] == first
        assert event.terms.reference == "R"
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        # Another order covers them already, with a name in common: the change is not
        # the order's entries alone, and is summed from the change itself.
        names = [f"b{i}.example" for i in range(n)] + ["a1.example"]
        registry.register_order(conn, _order(names, scope=Scope.EXACT), later, "t")
        _sums_match(conn)
    with engine.begin() as conn:
        # In force later: nothing changes now.
        future = later + timedelta(days=1)
        registry.register_order(
            conn, _order([f"c{i}.example" for i in range(n)], effective=future), later, "t"
        )
        _sums_match(conn)
        _verifies(conn)
        op_id = store_feed.operator_id(conn, "isp1")
        zone = dict(store_feed.entries(conn, op_id))
        assert len(zone) == 2 * n + n  # a*: name and wildcard; b*: names; a1 once more
        assert zone["a1.example"] == Action.NXDOMAIN.value
