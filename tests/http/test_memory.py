"""The server gives freed memory back when the last request in flight is answered (at most
once a second), and again at set delays while it stays idle (`arret.http.memory`)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from arret.cli.start import returning_allocator
from arret.http.memory import HTTP_THREADS, GiveBackMemory, bound_threads, release
from arret.store.db import open_engine


def test_memory_is_given_back_when_no_request_is_left_and_later_while_idle() -> None:
    trims: list[float] = []
    now = [100.0]
    gates: list[asyncio.Event] = []
    scheduled: list[tuple[float, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()

    middleware = GiveBackMemory(
        app,
        trim=lambda: trims.append(now[0]),
        every=1.0,
        monotonic=lambda: now[0],
        later=lambda delay, fire: scheduled.append((now[0] + delay, fire)),
        afterwards=(1.0, 12.0),
    )
    scope = {"type": "http"}

    async def request() -> asyncio.Task[None]:
        task = asyncio.create_task(middleware(scope, None, None))
        await asyncio.sleep(0)
        return task

    async def travel(to: float) -> None:
        """Moves the clock to `to`, firing what came due on the way."""
        for at, fire in sorted((s for s in scheduled if s[0] <= to), key=lambda s: s[0]):
            now[0] = at
            scheduled.remove((at, fire))
            fire()
            for task in list(middleware.pending):
                await task
        now[0] = to

    async def scenario() -> None:
        first, second = await request(), await request()
        gates[0].set()
        await first
        assert trims == [] and scheduled == []  # another request is still in flight
        gates[1].set()
        await second
        assert trims == [100.0]  # the last one in flight ended
        assert sorted(at for at, _ in scheduled) == [101.0, 112.0]  # and later, if idle
        await travel(100.5)
        third = await request()
        gates[2].set()
        await third
        assert trims == [100.0]  # less than a second since the last one
        await travel(200.0)
        # What the first burst scheduled is void (a request came since); the third
        # request's own are not.
        assert trims == [100.0, 101.5, 112.5]
        assert scheduled == []
        # A trim that comes due while a request is in flight does nothing; that request's
        # end decides.
        fourth = await request()
        gates[3].set()
        await fourth
        assert trims[-1] == 200.0
        fifth = await request()
        await travel(212.0)
        assert trims[-1] == 200.0
        gates[4].set()
        await fifth
        assert trims[-1] == 212.0
        await travel(300.0)
        assert trims[3:] == [200.0, 212.0, 213.0, 224.0]

    asyncio.run(scenario())


def test_the_later_trims_release_first_and_the_early_ones_do_not() -> None:
    done: list[tuple[str, float]] = []
    now = [100.0]
    scheduled: list[tuple[float, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    middleware = GiveBackMemory(
        app,
        trim=lambda: done.append(("trim", now[0])),
        every=1.0,
        monotonic=lambda: now[0],
        later=lambda delay, fire: scheduled.append((now[0] + delay, fire)),
        afterwards=(1.0, 12.0, 13.0),
        release=lambda: done.append(("release", now[0])),
        release_from=10.0,
    )

    async def scenario() -> None:
        await middleware({"type": "http"}, None, None)
        for at, fire in sorted(scheduled, key=lambda s: s[0]):
            now[0] = at
            fire()
            for task in list(middleware.pending):
                await task

    asyncio.run(scenario())
    assert done == [
        ("trim", 100.0),
        ("trim", 101.0),
        ("release", 112.0),
        ("trim", 112.0),
        ("release", 113.0),
        ("trim", 113.0),
    ]


def test_settled_hears_the_most_requests_in_flight_after_the_last_trim_only() -> None:
    """`arret.http.worker` asks to be replaced on what `settled` hears: the most requests
    that were in flight at once, told once the last trim is done, and only if the server
    stayed idle until then."""
    heard: list[tuple[int, float]] = []
    now = [100.0]
    gates: list[asyncio.Event] = []
    scheduled: list[tuple[float, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()

    middleware = GiveBackMemory(
        app,
        trim=lambda: None,
        monotonic=lambda: now[0],
        later=lambda delay, fire: scheduled.append((now[0] + delay, fire)),
        afterwards=(1.0, 12.0, 13.0),
        settled=lambda peak: heard.append((peak, now[0])),
    )

    async def travel(to: float) -> None:
        for at, fire in sorted((s for s in scheduled if s[0] <= to), key=lambda s: s[0]):
            now[0] = at
            scheduled.remove((at, fire))
            fire()
            for task in list(middleware.pending):
                await task
        now[0] = to

    async def burst(size: int) -> None:
        tasks = [asyncio.create_task(middleware({"type": "http"}, None, None))
                 for _ in range(size)]  # fmt: skip
        await asyncio.sleep(0)
        for gate in gates[-size:]:
            gate.set()
        await asyncio.gather(*tasks)

    async def scenario() -> None:
        await burst(5)
        await travel(112.5)
        assert heard == []  # the last trim (13 s) is not done yet
        await burst(3)  # a request came: what the first burst scheduled is void
        await travel(200.0)
        assert heard == [(5, 125.5)]  # the most at once since the start, once idle
        await burst(2)
        await travel(300.0)
        assert heard == [(5, 125.5), (2, 213.0)]  # counted again from the last call

    asyncio.run(scenario())


def test_release_closes_the_pooled_connections_and_new_ones_are_set_up_alike(
    tmp_path: Path,
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'arret.db'}", lock_wait=3.0)
    try:
        with engine.connect() as first, engine.connect() as second:
            assert first.scalar(text("SELECT 1")) == second.scalar(text("SELECT 1")) == 1
        held = engine.connect()
        assert engine.pool.checkedin() == 1
        release(engine)
        assert engine.pool.checkedin() == 0
        assert held.scalar(text("SELECT 2")) == 2  # one in use is left to its user
        held.close()
        with engine.connect() as again:
            # Opened after the release: the engine's set-up still runs on it.
            assert again.scalar(text("PRAGMA busy_timeout")) == 3000
            assert again.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        engine.dispose()


def test_serve_starts_with_the_c_allocator_and_no_per_thread_cache_unless_told() -> None:
    env = returning_allocator({"PATH": "/bin"})
    assert env == {
        "PATH": "/bin",
        "PYTHONMALLOC": "malloc",
        "MALLOC_ARENA_MAX": "2",
        "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0",
    }
    # The user's own tunables are kept, and theirs for the cache wins.
    mine = returning_allocator({"GLIBC_TUNABLES": "glibc.malloc.mxfast=0"})
    assert mine["GLIBC_TUNABLES"] == "glibc.malloc.mxfast=0:glibc.malloc.tcache_count=0"
    theirs = {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=7", "MALLOC_ARENA_MAX": "4"}
    assert returning_allocator(theirs) == {**theirs, "PYTHONMALLOC": "malloc"}


def test_blocking_work_runs_on_at_most_the_bounded_number_of_threads() -> None:
    """A burst of blocking calls through the event loop's thread pool (as a burst of
    requests makes) never has more than `HTTP_THREADS` of them running at once."""
    running = [0]
    most = [0]
    lock = threading.Lock()

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    async def burst() -> None:
        bound_threads()
        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(run_in_threadpool, work)

    asyncio.run(burst())
    assert 1 <= most[0] <= HTTP_THREADS < 40  # 40: anyio's default
