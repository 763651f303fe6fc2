"""The server gives freed memory back when the last request in flight is answered, at
most once a second (`arret.api.memory`)."""

from __future__ import annotations

import asyncio
from typing import Any

from arret.api.memory import GiveBackMemory


def test_memory_is_given_back_when_no_request_is_left_and_not_more_often() -> None:
    trims: list[float] = []
    now = [100.0]
    gates: list[asyncio.Event] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()

    middleware = GiveBackMemory(app, trim=lambda: trims.append(now[0]), every=1.0,
                                monotonic=lambda: now[0])  # fmt: skip

    async def scenario() -> None:
        scope = {"type": "http"}
        first = asyncio.create_task(middleware(scope, None, None))
        second = asyncio.create_task(middleware(scope, None, None))
        await asyncio.sleep(0)
        gates[0].set()
        await first
        assert trims == []  # another request is still in flight
        gates[1].set()
        await second
        assert trims == [100.0]
        now[0] += 0.5
        third = asyncio.create_task(middleware(scope, None, None))
        await asyncio.sleep(0)
        gates[2].set()
        await third
        assert trims == [100.0]  # less than a second since the last one
        now[0] += 1.0
        fourth = asyncio.create_task(middleware(scope, None, None))
        await asyncio.sleep(0)
        gates[3].set()
        await fourth
        assert trims == [100.0, 101.5]

    asyncio.run(scenario())
