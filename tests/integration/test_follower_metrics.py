"""What `/metrics` says of an instance that follows another on one PostgreSQL, read at a
moment held still: two feed servers in this process (as two `arret serve` would run),
their clock the test's and their refreshes the test's to run. A serial written after the
follower last refreshed shows as lag: `arret_feed_served_serial` (what this instance
serves) stays behind `arret_feed_serial` (the database's newest, the same everywhere), and
`arret_feed_lag_seconds` counts from that serial's publication — until the follower's next
refresh brings it level."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from support.livefeed import LiveFeed
from support.postgres import PostgresServer
from support.signed import open_engine

from arret.domain.instants import FixedClock
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import TargetSpec
from arret.feed.state import LocalFeed
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.services import feed, registry
from arret.store.db import migrate

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
UNB = '{operator="unb"}'


def metric(client: TestClient, name: str, labels: str = UNB) -> float | None:
    found = re.search(rf"^{name}{re.escape(labels)} (\S+)$", client.get("/metrics").text, re.M)
    return float(found.group(1)) if found else None


def scrape(live: LiveFeed, clock: FixedClock) -> TestClient:
    feed_state = LocalFeed(live.server)
    return TestClient(create_app(Runtime(live.engine, clock, HttpSettings(), feed_state)))


@pytest.fixture
def pair(pg_cluster: PostgresServer) -> Iterator[tuple[LiveFeed, LiveFeed, FixedClock]]:
    url = pg_cluster.create_database()
    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        registry.add_operator(conn, "unb", NOW, "test")
        feed.publish_due(conn, NOW)
    engine.dispose()
    clock = FixedClock(NOW)
    publisher = LiveFeed(url, clock)
    follower = LiveFeed(url, clock)
    try:
        publisher.tick()  # each loads its zones, as `arret serve` does at start
        follower.tick()
        yield publisher, follower, clock
    finally:
        follower.close()
        publisher.close()


@pytest.mark.postgres
def test_a_follower_behind_the_newest_serial_says_by_how_much(
    pair: tuple[LiveFeed, LiveFeed, FixedClock],
) -> None:
    publisher, follower, clock = pair
    assert publisher.server.role.publishing and not follower.server.role.publishing
    theirs, ours = scrape(publisher, clock), scrape(follower, clock)
    assert metric(theirs, "arret_publisher", "") == 1 and metric(ours, "arret_publisher", "") == 0
    before = metric(ours, "arret_feed_served_serial")
    assert before is not None and before == metric(ours, "arret_feed_serial")
    assert metric(ours, "arret_feed_lag_seconds") == 0

    # A registration through the publisher's instance, published at once there.
    clock.advance(timedelta(minutes=1))
    with publisher.engine.begin() as conn:
        registry.register_order(conn, OrderDraft(
            reference="R1", authority="TJ Paris", decided_on=NOW.date(),
            targets=(TargetSpec("one.example"),), operators=("unb",),
            expires_at=NOW + timedelta(days=30)), clock.now(), "clerk")  # fmt: skip
    publisher.tick()
    newest = metric(theirs, "arret_feed_served_serial")
    assert newest is not None and newest > before
    assert metric(theirs, "arret_feed_lag_seconds") == 0

    # Seven seconds later the follower has read the newest serial (its role's check, every
    # second) but not refreshed its zones: it serves the old one, 7 s behind.
    clock.advance(timedelta(seconds=7))
    follower.server.role.check()
    assert metric(ours, "arret_feed_serial") == newest  # the database's: the same everywhere
    assert metric(ours, "arret_feed_served_serial") == before
    assert metric(ours, "arret_feed_lag_seconds") == 7.0
    clock.advance(timedelta(seconds=2))
    assert metric(ours, "arret_feed_lag_seconds") == 9.0

    follower.tick()  # its refresh: level again
    assert metric(ours, "arret_feed_served_serial") == newest
    assert metric(ours, "arret_feed_lag_seconds") == 0
