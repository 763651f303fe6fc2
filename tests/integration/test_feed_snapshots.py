"""A revision that fills a policy from nothing stores no journal rows: its change (every
entry added) is derived from the policy's entries and its later journal. Every reader
must still get the journal as if it were stored: IXFR from every serial to every later
one equals the difference of the two full zones, `arret log verify` replays the same
sums, tampering with the entries or a later journal row is caught, a false claim of
filling from nothing is refused, and dropping a policy's entries writes the journal
first — on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select, text, update

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, TargetSpec
from arret.feed.cache import DatabaseFeed
from arret.rpz.zone import Delta, Entry, FeedSettings, apply_delta
from arret.services import feed, registry
from arret.services import log as log_service
from arret.store import feed as store_feed
from arret.store.schema import feed_changes, feed_entries, feed_snapshots
from arret.tlog.verify import Report

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
OPERATORS = ["isp00", "isp01"]


def order(names: list[str], *operators: str, action: Action = Action.NXDOMAIN) -> OrderDraft:
    return OrderDraft(
        reference="R", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n) for n in names), operators=operators,
        all_operators=not operators, expires_at=NOW + timedelta(days=30), action=action,
    )  # fmt: skip


def problems(conn: Connection) -> list[str]:
    report = Report()
    log_service.registry_problems(conn, report)
    return [str(p) for p in report.problems]


def zones(conn: Connection) -> dict[str, tuple[int, list[Entry]]]:
    found = {}
    for name in OPERATORS:
        op_id = store_feed.operator_id(conn, name)
        last = store_feed.latest(conn, op_id)
        assert last is not None
        found[name] = (last.serial, store_feed.entries(conn, op_id))
    return found


def history(engine: Engine) -> dict[str, dict[int, list[Entry]]]:
    """Fill, amend, change kinds, empty, fill again, split: every serial's full zone."""
    seen: dict[str, dict[int, list[Entry]]] = {name: {} for name in OPERATORS}
    at = NOW

    def step(write: object) -> None:
        nonlocal at
        with engine.begin() as conn:
            write(conn, at)  # type: ignore[operator]
            for name, (serial, entries) in zones(conn).items():
                assert entries == feed.zone_entries(conn, name, at)[0], name
                seen[name][serial] = entries
        at += timedelta(minutes=1)

    ids: dict[str, int] = {}

    def start(conn: Connection, now: datetime) -> None:
        for name in OPERATORS:
            registry.add_operator(conn, name, now, "test")
        feed.publish_due(conn, now)

    def register(key: str, draft: OrderDraft) -> object:
        def write(conn: Connection, now: datetime) -> None:
            ids[key] = registry.register_order(conn, draft, now, "clerk").id

        return write

    a_names = [f"a{i}.example" for i in range(20)]
    step(start)
    step(register("A", order(a_names)))  # from nothing: derived
    step(lambda c, now: registry.amend_order(
        c, ids["A"], now, "c", add=[TargetSpec("a20.example")], remove=a_names[:4]))  # fmt: skip
    step(register("B", order(["a5.example", "b0.example"], action=Action.NOTICE)))  # kinds
    step(lambda c, now: registry.lift_order(c, ids["A"], now, "c", "done"))
    step(lambda c, now: registry.lift_order(c, ids["B"], now, "c", "done"))  # empty again
    step(register("C", order([f"c{i}.example" for i in range(8)])))  # from nothing again
    step(register("D", order(["d.example"], "isp01")))  # isp01 split off into a copy
    step(lambda c, now: registry.amend_order(c, ids["C"], now, "c", remove=["c0.example"]))
    return seen


def assert_journals_replay(conn: Connection, seen: dict[str, dict[int, list[Entry]]]) -> None:
    """The journal of each operator's serials, replayed from nothing, gives every zone."""
    for name in OPERATORS:
        op_id = store_feed.operator_id(conn, name)
        held: list[Entry] = []
        for version in store_feed.versions(conn, op_id):
            removed, added = store_feed.journal(conn, op_id, version.serial)
            held = apply_delta(held, Delta(tuple(removed), tuple(added)))
            assert held == seen[name][version.serial], (name, version)


def test_ixfr_from_every_serial_is_the_difference_of_the_full_zones(engine: Engine) -> None:
    seen = history(engine)
    with engine.begin() as conn:
        filled = conn.execute(select(feed_snapshots.c.policy_id, feed_snapshots.c.rev)).all()
        assert len(filled) == 2  # the first fill and the fill after emptying
        assert problems(conn) == []
        assert_journals_replay(conn, seen)
    cache = DatabaseFeed(engine, FeedSettings())
    cache.refresh()
    for name, by_serial in seen.items():
        serials = sorted(by_serial)
        for i, since in enumerate(serials):
            for until in serials[i + 1 :]:
                steps = cache.steps(name, since, until)
                assert steps is not None, (name, since, until)
                held = list(by_serial[since])
                for s in steps:
                    held = apply_delta(held, Delta(s.removed, s.added))
                assert held == by_serial[until], (name, since, until)


def test_tampering_with_what_a_derived_journal_reads_is_caught(engine: Engine) -> None:
    history(engine)
    tamperings = [
        # An entry of the zone served: it stands for the derived revision too.
        update(feed_entries).where(feed_entries.c.owner == "c3.example").values(kind="nodata"),
        # A journal row after the fill: undoing it no longer gives the filled revision.
        update(feed_changes).where(feed_changes.c.owner == "c0.example").values(owner="c9.example"),
    ]
    for tampering in tamperings:
        with engine.connect() as conn, conn.begin() as transaction:
            assert conn.execute(tampering).rowcount >= 1
            assert any("does not give the policy digest" in p for p in problems(conn))
            transaction.rollback()
    # A revision falsely said to fill its policy from nothing (the amendment of A).
    with engine.connect() as conn, conn.begin() as transaction:
        pid, rev = conn.execute(
            select(feed_changes.c.policy_id, func.min(feed_changes.c.rev)).group_by(
                feed_changes.c.policy_id
            )
        ).first()  # type: ignore[misc]
        conn.execute(feed_snapshots.insert().values(policy_id=pid, rev=rev))
        assert any("filling it from nothing" in p for p in problems(conn))
        transaction.rollback()


def test_dropping_the_entries_writes_the_derived_journal_first(engine: Engine) -> None:
    history(engine)
    with engine.begin() as conn:
        before = log_service.revision_sums(conn)
        (pid,) = {p for (p,) in conn.execute(select(feed_snapshots.c.policy_id)).all()}
        revs = range(1, store_feed.policy(conn, pid).rev + 1)
        changes = [store_feed.revision_changes(conn, pid, r) for r in revs]
        store_feed.drop_entries(conn, pid)
        assert store_feed.snapshots(conn, pid) == []
        assert store_feed.policy_entries(conn, pid) == []
        assert [store_feed.revision_changes(conn, pid, r) for r in revs] == changes
        assert log_service.revision_sums(conn) == before


def test_a_registry_from_before_keeps_verifying_and_gets_derived_journals(
    engine: Engine,
) -> None:
    """A journal written whole (as before 0010e) reads and verifies as it did, across a
    downgrade to 0010d and the upgrade back; new fills from nothing are derived."""
    from alembic import command

    from arret.store.db import _alembic_config, migrate

    seen = history(engine)
    with engine.begin() as conn:
        journal = conn.scalar(select(func.count()).select_from(feed_changes))
        derived = sum(
            len(store_feed.revision_changes(conn, pid, rev)[1])
            for pid, rev in conn.execute(select(feed_snapshots)).all()
        )
        # Down to what the code before 0010e wrote: every revision's journal stored.
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0010d")
        after = conn.execute(text("SELECT count(*) FROM feed_policy_changes")).scalar()
        assert after == journal + derived and derived > 0
    migrate(engine)
    with engine.begin() as conn:
        assert problems(conn) == []
        assert_journals_replay(conn, seen)
        # Emptied and filled again after the upgrade: that fill is derived.
        for found in store_feed.memberships(conn).values():
            assert store_feed.snapshots(conn, found) == []
        later = NOW + timedelta(hours=1)
        for order_id in (3, 4):
            registry.lift_order(conn, order_id, later, "c", "done")
        registry.register_order(conn, replace(order(["e.example"])), later, "c")
        assert conn.scalar(select(func.count()).select_from(feed_snapshots)) == 2
        assert problems(conn) == []
