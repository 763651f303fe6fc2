"""The publisher lock on a real PostgreSQL, its clock the test's: one holder at a time; a
holder whose session is ended knows it at its next check, and asks again only after the
hold-off, so that another instance takes the lock first. A check that hangs (a database
that does not answer) stops the instance publishing meanwhile, without piling up further
checks, and it publishes again once the check completes with the lock still its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from support.postgres import PostgresServer
from support.signed import open_engine as signed_engine

from arret.domain.instants import FixedClock
from arret.feed import role as role_module
from arret.feed.role import Role
from arret.store.db import migrate, open_engine
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


class CountedRole(Role):
    """The role of `arret serve`, counting the checks it starts."""

    started = 0

    def check(self) -> bool:
        self.started += 1
        return super().check()


@pytest.mark.postgres
def test_a_check_that_hangs_stops_publishing_and_is_not_joined_by_others(
    pg_cluster: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(role_module, "CHECK", 0.05)
    monkeypatch.setattr(role_module, "CHECK_TIMEOUT", 0.2)
    url = pg_cluster.create_database()
    setup = signed_engine(url)
    migrate(setup)
    setup.dispose()
    engine = open_engine(url, lock_wait=60)  # the check's read waits, as on a dead link
    role = CountedRole(engine, FixedClock(datetime(2026, 12, 7, 12, tzinfo=UTC)))
    role.settle(role.check())
    assert role.publishing
    # Another session holds the operators' table: the next check's read of the newest
    # serials waits for it (its lock session, checked first, answers).
    blocker = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))

    async def scenario() -> tuple[int, bool, bool]:
        stop = asyncio.Event()
        started = role.started
        blocker.execute("LOCK TABLE operators IN ACCESS EXCLUSIVE MODE")
        task = asyncio.create_task(role.run(stop))
        await asyncio.sleep(1.5)  # seven timeouts' worth
        hung = (role.started - started, role.publishing)
        blocker.rollback()
        await asyncio.sleep(1.0)
        back = role.publishing
        stop.set()
        await task
        return *hung, back

    try:
        checks, during, after = asyncio.run(scenario())
    finally:
        blocker.close()
        if role.lock is not None:
            role.lock.release()
        engine.dispose()
    assert (checks, during, after) == (1, False, True)
