"""The feed moves exactly with the policy: every delta published, by an event or by time,
equals the difference between full recomputations of the zone before and after it — on
SQLite and PostgreSQL, over random histories."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine
from sqlalchemy import event as sql_event
from support.histories import BASE, OPERATORS, History, random_history, write_event
from support.signed import open_engine
from support.templates import migrated_sqlite

from arret.domain.events import OrderAmended
from arret.rpz import serial as serials
from arret.rpz.zone import Delta, Entry, apply_delta
from arret.services import feed, registry
from arret.services import log as log_service
from arret.store import feed as store_feed
from arret.store import registry as store
from arret.store.db import migrate
from arret.tlog.verify import Report


def full(conn: Connection, operator: str, at: datetime) -> list[Entry]:
    return feed.zone_entries(conn, operator, at)[0]


def stored(conn: Connection, operator: str) -> list[Entry]:
    return store_feed.entries(conn, store_feed.operator_id(conn, operator))


def check_journal(conn: Connection, operator: str) -> None:
    """Replaying every serial's journal from an empty zone gives the stored zone, and the
    serials only ever go forward."""
    op_id = store_feed.operator_id(conn, operator)
    zone: list[Entry] = []
    versions = store_feed.versions(conn, op_id)
    for version in versions:
        removed, added = store_feed.journal(conn, op_id, version.serial)
        zone = apply_delta(zone, Delta(tuple(removed), tuple(added)))
        assert len(zone) == version.entries
    assert zone == stored(conn, operator)
    assert all(serials.greater(b.serial, a.serial) for a, b in pairwise(versions))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_every_delta_is_the_difference_of_full_recomputations(engine: Engine, seed: int) -> None:
    replay_and_check(engine, random_history(random.Random(seed), 30))


@pytest.mark.parametrize("seed", [14, 15])
def test_whole_recomputations_past_the_threshold_give_the_same_feeds(
    engine: Engine, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `FULL_ABOVE` names an event or an instant recomputes the whole zone, without
    reading the names (a million-name order): with the threshold at nothing, every
    publication takes that path, and every feed must still be exact."""
    monkeypatch.setattr(feed, "FULL_ABOVE", 0)
    replay_and_check(engine, random_history(random.Random(seed), 30))


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=20))
def test_deltas_on_hypothesis_histories(rng: random.Random, steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        migrated_sqlite(Path(folder) / "arret.db")  # a copy: 25 migrations cost 10 s
        engine = open_engine(f"sqlite:///{folder}/arret.db")
        try:
            replay_and_check(engine, random_history(rng, steps))
        finally:
            engine.dispose()


def replay_and_check(engine: Engine, h: History) -> None:
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, BASE, "test")
    last_now = BASE
    for event, now in zip(h.events, h.recorded, strict=True):
        with engine.begin() as conn:
            # Time first: everything due up to now is published, so the zone is exact...
            feed.publish_due(conn, now)
            before = {op: full(conn, op, now) for op in OPERATORS}
            assert {op: stored(conn, op) for op in OPERATORS} == before
            # ...then the event publishes exactly the difference it makes.
            # An amendment publishes from the order's head alone, as `amend_order` does.
            head = (
                store.load_order_head(conn, event.order_id)
                if isinstance(event, OrderAmended)
                else None
            )
            write_event(conn, event, now)
            if isinstance(event, OrderAmended):
                assert head is not None
                after_head = store.load_order_head(conn, event.order_id)
                published = feed.publish_amendment(conn, head, after_head, event, now)
            else:
                published = feed.publish_event(conn, event, now)
            for op in OPERATORS:
                after = full(conn, op, now)
                assert stored(conn, op) == after, (op, event)
                changed = [p for p in published if p.operator == op]
                assert bool(changed) == (after != before[op]), (op, event)
        last_now = now
    # Time alone, with nobody acting, moves the feeds through every later instant.
    with engine.begin() as conn:
        for at in [x for x in h.instants() if x > last_now] + [last_now + timedelta(days=90)]:
            feed.publish_due(conn, at)
            for op in OPERATORS:
                assert stored(conn, op) == full(conn, op, at), (op, at)
        for op in OPERATORS:
            check_journal(conn, op)
            assert stored(conn, op) == []  # everything has ended by then
        # Every serial's keyed digest is the one its policy's journal gives, across the
        # splits the history made.
        report = Report()
        log_service.registry_problems(conn, report)
        assert [p for p in report.problems if "serial" in str(p) or "zone" in str(p)] == []


def test_an_expiry_is_published_when_its_instant_comes_and_after_a_restart(
    engine: Engine,
) -> None:
    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", now, "test")
        feed.publish_due(conn, now)
        draft = OrderDraft(
            reference="R",
            authority="court",
            decided_on=now.date(),
            targets=(TargetSpec("leak.example"),),
            operators=("orange",),
            effective_at=now + timedelta(seconds=5),
            expires_at=now + timedelta(seconds=10),
        )
        registry.register_order(conn, draft, now, "clerk")
        op_id = store_feed.operator_id(conn, "orange")
        first = store_feed.latest(conn, op_id)
        assert first is not None and stored(conn, "orange") == []
        assert store_feed.next_instant(conn, now) == now + timedelta(seconds=5)
        assert feed.publish_due(conn, now + timedelta(seconds=4)) == []
        [effective] = feed.publish_due(conn, now + timedelta(seconds=5))
        assert stored(conn, "orange") == [
            ("*.leak.example", "nxdomain"),
            ("leak.example", "nxdomain"),
        ]
        assert serials.greater(effective.serial, first.serial)
    # A process that was down across the expiry catches up at once when it comes back.
    with engine.begin() as conn:
        [expired] = feed.publish_due(conn, now + timedelta(minutes=3))
        assert (expired.added, expired.removed) == (0, 2)
        assert stored(conn, "orange") == []
        assert serials.greater(expired.serial, effective.serial)


def test_a_restored_older_database_still_publishes_a_greater_serial(tmp_path: Path) -> None:
    import shutil

    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec

    db = tmp_path / "arret.db"
    t0 = datetime(2026, 11, 28, 12, tzinfo=UTC)

    def order(conn: Connection, name: str, now: datetime) -> None:
        draft = OrderDraft(
            reference=name,
            authority="court",
            decided_on=t0.date(),
            targets=(TargetSpec(name),),
            operators=("orange",),
            expires_at=now + timedelta(days=30),
        )
        registry.register_order(conn, draft, now, "clerk")

    def latest() -> int:
        engine = open_engine(f"sqlite:///{db}")
        with engine.connect() as conn:
            version = store_feed.latest(conn, store_feed.operator_id(conn, "orange"))
        engine.dispose()
        assert version is not None
        return version.serial

    engine = open_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", t0, "test")
        order(conn, "a.example", t0)
    engine.dispose()
    shutil.copy(db, tmp_path / "backup.db")
    engine = open_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # several changes within the same second, then later
        for i, at in enumerate([t0, t0, t0 + timedelta(minutes=1)]):
            order(conn, f"b{i}.example", at)
    engine.dispose()
    served = latest()
    shutil.copy(tmp_path / "backup.db", db)  # the operator restores yesterday's copy
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"arret.db{suffix}").unlink(missing_ok=True)
    restored = latest()
    assert serials.greater(served, restored)
    engine = open_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        order(conn, "c.example", t0 + timedelta(hours=2))
    engine.dispose()
    assert serials.greater(latest(), served)


def test_a_new_notice_host_gives_a_full_transfer_to_zones_that_carry_it(engine: Engine) -> None:
    """The journal holds entries, not rendered records: when `arret serve` starts with
    another --notice-host, the CNAME targets of notice entries change with no entry
    changing. Those zones must get a new serial (else resolvers keep the old target),
    and no IXFR may bridge it (its deltas would be rendered with the new host)."""
    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import Action, TargetSpec
    from arret.feed.cache import DatabaseFeed
    from arret.rpz.zone import FeedSettings

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    with engine.begin() as conn:
        for name in ("orange", "free"):
            registry.add_operator(conn, name, now, "test")
        for operator, action in (("orange", Action.NOTICE), ("free", Action.NXDOMAIN)):
            registry.register_order(conn, OrderDraft(
                reference=f"R-{operator}", authority="court", decided_on=now.date(),
                targets=(TargetSpec("leak.example"),), operators=(operator,),
                expires_at=now + timedelta(days=30), action=action), now, "clerk")  # fmt: skip
        assert feed.adopt_notice_host(conn, FeedSettings.notice_host, now) == []  # the default
        versions = {op: store_feed.latest(conn, store_feed.operator_id(conn, op))
                    for op in ("orange", "free")}  # fmt: skip
    later = now + timedelta(minutes=1)
    with engine.begin() as conn:
        [rewritten] = feed.adopt_notice_host(conn, "stop.fai.example.", later)
        assert (rewritten.operator, rewritten.added, rewritten.removed) == ("orange", 0, 0)
        old = versions["orange"]
        assert old is not None and serials.greater(rewritten.serial, old.serial)
        assert feed.settings_of(conn).notice_host == "stop.fai.example."
        assert feed.adopt_notice_host(conn, "stop.fai.example.", later) == []  # once only
        free = store_feed.latest(conn, store_feed.operator_id(conn, "free"))
        assert free == versions["free"]  # no notice entry: same serial
    cache = DatabaseFeed(engine, FeedSettings(notice_host="stop.fai.example."))
    cache.refresh()
    assert cache.steps("orange", old.serial, rewritten.serial) is None  # full zone instead
    view = cache.zone("orange.rpz.arret.")
    assert view is not None and view.serial == rewritten.serial
    assert ("leak.example", "notice") in view.entries


def written(engine: Engine, seed: int) -> History:
    """A random history of 40 steps, written through the store (no publication)."""
    h = random_history(random.Random(seed), 40)
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, BASE, "test")
        for event, now in zip(h.events, h.recorded, strict=True):
            write_event(conn, event, now)
    return h


@pytest.mark.parametrize("seed", [21, 22])
def test_target_counts_by_index_equal_a_replay(engine: Engine, seed: int) -> None:
    """`present_target_count` and `target_page` (what answers and pages show instead of
    loading an order) against the orders replayed from the same events."""
    h = written(engine, seed)
    with engine.connect() as conn:
        for order in h.orders.values():
            for at in h.instants():
                assert store.present_target_count(conn, order.id, at) == len(
                    order.targets_at(at)
                ), (order.id, at)
            current = store.current_target_count(conn, order.id)
            assert current == len(order.current_targets())
            for at in h.instants():  # given the current count, as an amendment's answer is
                assert store.present_target_count(conn, order.id, at, current) == len(
                    order.targets_at(at)
                ), (order.id, at)
            pages, after, more = [], 0, True
            while more:
                page, total, more = store.target_page(conn, order.id, after, 2)
                assert total == len(order.targets)
                pages += [t for _, t in page]
                after = page[-1][0] if page else after
            assert [(t.name, t.added_at, t.removed_at) for t in pages] == [
                (t.name, t.added_at, t.removed_at) for t in order.targets
            ]


def test_an_order_s_present_count_does_not_read_its_current_targets(engine: Engine) -> None:
    """Given the current count, `present_target_count` reads only the targets dated after
    the instant: SQLite's plans for its queries are ranges on the instants, never a look-up
    of the order's targets not removed (for a million-name order, a million rows)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    h = written(engine, 23)
    statements: list[tuple[str, object]] = []

    def seen(_c: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        statements.append((statement, parameters))

    with engine.connect() as conn:
        order = next(iter(h.orders.values()))
        current = store.current_target_count(conn, order.id)
        sql_event.listen(engine, "before_cursor_execute", seen)
        try:
            store.present_target_count(conn, order.id, h.instants()[0], current)
        finally:
            sql_event.remove(engine, "before_cursor_execute", seen)
        raw = conn.connection.driver_connection
        assert raw is not None and len(statements) == 2
        for statement, parameters in statements:
            plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            # A range on an instant: what was added, or removed, after `at`.
            assert all(">?)" in step[3] for step in plan), (statement, plan)


@pytest.mark.parametrize("seed", [31, 32])
def test_policy_counts_and_pages_by_sql_equal_the_whole_policy(engine: Engine, seed: int) -> None:
    """`rule_count` and `policy_page` (what `operator show` and the operator page use
    instead of compiling a policy of a million names) against `policy_for`, with
    allow-list entries shielding names and orders overlapping."""
    h = written(engine, seed)
    with engine.connect() as conn:
        # Every other instant (the suite's time; the neighbours of each edge are there).
        for at in h.instants()[::2]:
            for op in OPERATORS:
                whole = registry.policy_for(conn, op, at).rules
                assert registry.rule_count(conn, op, at) == len(whole), (op, at)
                for limit in (1, 3, 1000):
                    page, total = registry.policy_page(conn, op, at, limit)
                    assert (page, total) == (whole[:limit], len(whole)), (op, at, limit)


def test_a_lift_dated_later_changes_no_zone_now_and_reads_no_name(engine: Engine) -> None:
    """A lift takes the order's names out of the zones when it takes effect: dated later,
    it publishes nothing now and does not read the order's names (for a million names,
    23 s of recomputing zones that do not change); at its instant, time publishes it."""
    from arret.domain.lifecycle import OrderDraft
    from arret.domain.model import TargetSpec

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    with engine.begin() as conn:
        registry.add_operator(conn, "orange", now, "test")
        draft = OrderDraft(
            reference="R",
            authority="court",
            decided_on=now.date(),
            targets=(TargetSpec("leak.example"), TargetSpec("mirror.example")),
            operators=("orange",),
            effective_at=now,
            expires_at=now + timedelta(days=30),
        )
        order = registry.register_order(conn, draft, now, "clerk")
        op_id = store_feed.operator_id(conn, "orange")
        before = store_feed.latest(conn, op_id)
    statements: list[str] = []

    def seen(_c: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    later = now + timedelta(hours=1)
    with engine.begin() as conn:
        sql_event.listen(engine, "before_cursor_execute", seen)
        try:
            lifted = registry.lift_order(conn, order.id, now, "clerk", "appeal", later)
        finally:
            sql_event.remove(engine, "before_cursor_execute", seen)
        assert lifted.published == ()
        assert store_feed.latest(conn, op_id) == before
        assert len(stored(conn, "orange")) == 4
    reading_names = [s for s in statements if "FROM targets" in s]
    assert reading_names == [], reading_names
    with engine.begin() as conn:
        assert feed.publish_due(conn, later - timedelta(seconds=1)) == []
        [published] = feed.publish_due(conn, later)
        assert (published.added, published.removed) == (0, 4)
        assert stored(conn, "orange") == []
    # Lifted now, an order in force leaves the zones at once.
    with engine.begin() as conn:
        again = registry.register_order(conn, draft, later, "clerk")
        [now_published] = registry.lift_order(conn, again.id, later, "clerk", "appeal").published
        assert now_published.removed == 4 and stored(conn, "orange") == []
