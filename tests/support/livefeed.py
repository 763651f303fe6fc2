"""The feed server of `arret serve` in the test's own process, on a loopback port chosen
at run time, its event loop in a thread and its clock the test's: `tick` is what its
scheduler does at each instant (publish what time has brought, load the new serials)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from arret.domain.instants import Clock
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.server import FeedServer
from arret.feed.transport import TcpLimits
from arret.rpz.zone import FeedSettings
from support.signed import open_engine


class LiveFeed:
    def __init__(self, url: str, clock: Clock, limits: TcpLimits | None = None) -> None:
        settings = FeedSettings()
        self.engine = open_engine(url)
        self.server = FeedServer(self.engine, clock, DatabaseFeed(self.engine, settings),
                                 Notifier(settings, clock=clock), limits)  # fmt: skip
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        # As `arret serve` does before its first pass: on PostgreSQL, take the publisher
        # role (released by `FeedServer.close`).
        self.server.role.settle(self.server.role.check())
        self.port: int = self.run(self.server.start("127.0.0.1", 0))

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def tick(self) -> None:
        # The scheduler retries a failed pass; here a failure is the test's to see.
        assert self.run(self.server.tick(force=True)), self.server.health.last_error

    def close(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        self.engine.dispose()
