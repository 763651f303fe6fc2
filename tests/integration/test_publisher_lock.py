"""The publisher lock on a real PostgreSQL, its clock the test's: one holder at a time; a
holder whose session is ended knows it at its next check, and asks again only after the
hold-off, so that another instance takes the lock first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from support.postgres import PostgresServer

from arret.domain.instants import FixedClock
from arret.store.db import open_engine
from arret.store.lease import HOLDOFF, PublisherLock


@pytest.mark.postgres
def test_a_lost_lock_is_asked_for_again_only_after_the_hold_off(
    pg_cluster: PostgresServer,
) -> None:
    clock = FixedClock(datetime(2026, 12, 7, 12, tzinfo=UTC))
    first_engine = open_engine(pg_cluster.create_database())
    second_engine = open_engine(first_engine.url.render_as_string(hide_password=False))
    first, second = PublisherLock(first_engine, clock), PublisherLock(second_engine, clock)
    try:
        assert first.hold() and not second.hold()
        assert first.hold()  # still held: its session answers
        assert first.conn is not None
        pid = first.conn.scalar(text("SELECT pg_backend_pid()"))
        with second_engine.connect() as admin:
            assert admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not first.hold()  # its session is gone: the lock with it
        assert first.lost_at == clock.now()
        clock.advance(timedelta(seconds=HOLDOFF - 0.5))
        assert not first.hold()  # free, but not asked for yet
        assert first.conn is None
        clock.advance(timedelta(seconds=0.5))
        assert first.hold() and not second.hold()  # nobody took it: it is back
        first.release()
        assert second.hold() and not first.hold()  # released at stop: no hold-off
    finally:
        first.release()
        second.release()
        first_engine.dispose()
        second_engine.dispose()
