"""Operators addressed by the same orders share one policy: its entries and journal are
stored once, whatever the number of operators; an order to some of them splits those off
into a copy; a new operator joins without copying anything. Each operator keeps its own
serials, leaves and keyed digest — checked against full recomputations and against the
log's own verification, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Scope, TargetSpec
from arret.feed.cache import DatabaseFeed
from arret.rpz.zone import Delta, FeedSettings, apply_delta
from arret.services import feed, registry
from arret.services import log as log_service
from arret.store import feed as store_feed
from arret.store import log as store_log
from arret.store.schema import feed_changes, feed_entries, feed_policies
from arret.tlog.verify import Report

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
OPERATORS = [f"isp{i:02d}" for i in range(30)]


def rows(conn: Connection, table: object) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def order(names: list[str], *operators: str, all_operators: bool = False) -> OrderDraft:
    return OrderDraft(
        reference="R", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n) for n in names), operators=operators,
        all_operators=all_operators, expires_at=NOW + timedelta(days=30),
    )  # fmt: skip


def zone(conn: Connection, operator: str) -> list[tuple[str, str]]:
    return store_feed.entries(conn, store_feed.operator_id(conn, operator))


def verified(conn: Connection) -> list[str]:
    report = Report()
    log_service.registry_problems(conn, report)
    return [str(p) for p in report.problems]


def test_an_order_to_every_operator_is_stored_once_and_each_has_its_serial(
    engine: Engine,
) -> None:
    names = [f"site{i:03d}.example" for i in range(200)]
    with engine.begin() as conn:
        for name in OPERATORS:
            registry.add_operator(conn, name, NOW, "test")
        feed.publish_due(conn, NOW)
        registry.register_order(conn, order(names, all_operators=True), NOW, "clerk")
    with engine.begin() as conn:
        expected = feed.zone_entries(conn, OPERATORS[0], NOW)[0]
        assert len(expected) == 400  # each subtree name and its wildcard
        for name in OPERATORS:
            assert zone(conn, name) == feed.zone_entries(conn, name, NOW)[0] == expected
        # One copy of the entries, not thirty; the policy held nothing before, so the
        # revision's journal (every entry added) is derived from them, not stored again.
        assert rows(conn, feed_policies) == 1
        assert rows(conn, feed_entries) == 400
        assert rows(conn, feed_changes) == 0
        (pid,) = {p for p in store_feed.memberships(conn).values()}
        assert store_feed.snapshots(conn, pid) == [2]
        assert store_feed.revision_changes(conn, pid, 2) == ([], expected)
        # Each operator: its own serial and leaf, its own digest of the same content.
        digests = set()
        for name in OPERATORS:
            last = store_feed.latest(conn, store_feed.operator_id(conn, name))
            assert last is not None and last.entries == 400 and last.added == 400
            leaf = store_log.feed_leaf(conn, name, last.serial)
            assert leaf is not None
            digests.add(json.loads(leaf.data)["policy_digest"])
        assert len(digests) == len(OPERATORS)
        assert verified(conn) == []


def test_an_order_to_some_operators_splits_them_off_and_the_journal_still_leads_on(
    engine: Engine,
) -> None:
    shared = ["shared.example"]
    with engine.begin() as conn:
        for name in OPERATORS[:5]:
            registry.add_operator(conn, name, NOW, "test")
        feed.publish_due(conn, NOW)
        everyone = registry.register_order(conn, order(shared, all_operators=True), NOW, "c")
    feed_cache = DatabaseFeed(engine, FeedSettings())
    feed_cache.refresh()
    before = {z.operator: z for z in feed_cache.zones()}
    # Shared: the same tuple of entries in memory for every operator.
    assert len({id(z.entries) for z in before.values()}) == 1
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        registry.register_order(conn, order(["only-two.example"], "isp01", "isp03"), later, "c")
        registry.amend_order(conn, everyone.id, later + timedelta(minutes=1), "c",
                             add=[TargetSpec("mirror.example")])  # fmt: skip
    with engine.begin() as conn:
        at = later + timedelta(minutes=1)
        for name in OPERATORS[:5]:
            assert zone(conn, name) == feed.zone_entries(conn, name, at)[0], name
        assert ("only-two.example", "nxdomain") in zone(conn, "isp01")
        assert ("only-two.example", "nxdomain") not in zone(conn, "isp00")
        assert ("mirror.example", "nxdomain") in zone(conn, "isp03")
        assert ("mirror.example", "nxdomain") in zone(conn, "isp04")
        members = store_feed.memberships(conn)
        ids = store_feed.operator_ids(conn)
        assert members[ids["isp01"]] == members[ids["isp03"]] != members[ids["isp00"]]
        assert rows(conn, feed_policies) == 2
        assert verified(conn) == []
    changed = {z.operator: z for z in feed_cache.refresh()}
    assert set(changed) == set(OPERATORS[:5])
    assert changed["isp01"].entries is changed["isp03"].entries
    assert changed["isp00"].entries is changed["isp04"].entries
    # IXFR from the serial before the split: the journal leads across the copy.
    for name, count in (("isp01", 2), ("isp00", 1)):
        steps = feed_cache.steps(name, before[name].serial, changed[name].serial)
        assert steps is not None and len(steps) == count, name
        held = list(before[name].entries)
        for step in steps:
            held = apply_delta(held, Delta(step.removed, step.added))
        assert tuple(held) == changed[name].entries, name


def test_a_new_operator_joins_the_policy_of_its_peers_without_copying_it(
    engine: Engine,
) -> None:
    names = [f"site{i:03d}.example" for i in range(100)]
    with engine.begin() as conn:
        for name in OPERATORS[:4]:
            registry.add_operator(conn, name, NOW, "test")
        feed.publish_due(conn, NOW)
        registry.register_order(conn, order(names, all_operators=True), NOW, "clerk")
        registry.register_order(conn, order(["own.example"], "isp00"), NOW, "clerk")
        stored, journal = rows(conn, feed_entries), rows(conn, feed_changes)
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        registry.add_operator(conn, "newcomer", later, "test")
    with engine.begin() as conn:
        assert zone(conn, "newcomer") == feed.zone_entries(conn, "newcomer", later)[0]
        assert zone(conn, "newcomer") == zone(conn, "isp01") != zone(conn, "isp00")
        assert (rows(conn, feed_entries), rows(conn, feed_changes)) == (stored, journal)
        op_id = store_feed.operator_id(conn, "newcomer")
        last = store_feed.latest(conn, op_id)
        assert last is not None and last.added == 200
        # Its first serial is checked against its own key like any other.
        secret = log_service.digest_secret(conn, "newcomer")
        leaf = store_log.feed_leaf(conn, "newcomer", last.serial)
        assert leaf is not None and secret.salt is None and secret.keyed_since == last.serial
        held = log_service.HeldZone(last.serial, zone(conn, "newcomer"))
        assert log_service.check_held(secret, held, json.loads(leaf.data)) is None
        other = log_service.digest_secret(conn, "isp01")
        assert log_service.check_held(other, held, json.loads(leaf.data)) is not None
        assert verified(conn) == []


def test_an_order_in_force_from_its_registration_is_not_due_again(engine: Engine) -> None:
    """Its registration published it whole: the scheduler's next pass (at the next start
    of `arret serve`, after a million names) must not recompute every name of it."""
    with engine.begin() as conn:
        registry.add_operator(conn, "isp00", NOW, "test")
        feed.publish_due(conn, NOW)
        at_once = registry.register_order(conn, order(["now.example"], all_operators=True),
                                          NOW + timedelta(seconds=1), "clerk")  # fmt: skip
        later = replace(order(["later.example"], all_operators=True),
                        effective_at=NOW + timedelta(minutes=5))  # fmt: skip
        planned = registry.register_order(conn, later, NOW + timedelta(seconds=2), "clerk")
        due = store_feed.due_orders(conn, NOW, NOW + timedelta(hours=1))
        assert at_once.id not in due and planned.id in due
        # Its expiry is due when it comes, like any other.
        assert at_once.id in store_feed.due_orders(conn, NOW, NOW + timedelta(days=31))
        # Nor are the first targets of either order (added at their registration): the
        # one instant still owed is the planned order's taking effect — what `/metrics`
        # counts while the database is busy.
        hour = NOW + timedelta(hours=1)
        assert store_feed.due_target_names(conn, NOW, hour) == []
        assert store_feed.due_instants(conn, NOW, hour) == 1
        # A name added later by an amendment, dated or not, is due at its own instant.
        registry.amend_order(conn, at_once.id, NOW + timedelta(seconds=3), "clerk",
                             add=[TargetSpec("mirror.example", Scope.EXACT)],
                             at=NOW + timedelta(minutes=10))  # fmt: skip
        assert store_feed.due_target_names(conn, NOW, hour) == ["mirror.example"]
        assert store_feed.due_instants(conn, NOW, hour) == 2


def test_before_the_first_pass_what_is_owed_is_what_time_brought_since_the_first_write(
    engine: Engine,
) -> None:
    """A registry filled by the CLI before `arret serve` ever ran has no scheduler pass on
    record: its first pass owes the instants since the first publication (an order that
    took effect meanwhile), not a recomputation of every name — at a million names that
    was most of the server's start."""
    with engine.begin() as conn:
        registry.add_operator(conn, "isp00", NOW, "test")
        assert store_feed.published_until(conn) == NOW  # the operator's first serial
        registry.register_order(conn, order(["now.example"], all_operators=True),
                                NOW + timedelta(seconds=1), "clerk")  # fmt: skip
        later = replace(order(["later.example"], all_operators=True),
                        effective_at=NOW + timedelta(minutes=5))  # fmt: skip
        planned = registry.register_order(conn, later, NOW + timedelta(seconds=2), "clerk")
        first_pass = NOW + timedelta(minutes=10)
        assert store_feed.due_orders(conn, NOW, first_pass) == [planned.id]
        assert store_feed.due_target_names(conn, NOW, first_pass) == []
        assert store_feed.due_instants(conn, NOW, first_pass) == 1
    with engine.begin() as conn:
        published = feed.publish_due(conn, first_pass)
        assert [(p.operator, p.added, p.removed) for p in published] == [("isp00", 2, 0)]
        assert zone(conn, "isp00") == feed.zone_entries(conn, "isp00", first_pass)[0]
        assert {o for o, _ in zone(conn, "isp00")} >= {"later.example", "now.example"}
        assert store_feed.published_until(conn) == first_pass
