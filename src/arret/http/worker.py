"""`python -m arret.http.worker`: the HTTP worker process `arret serve` starts
(`arret.workers` says why and how). Not a command for people: it reads its settings, pickled,
on its standard input.

It serves the application on the socket it inherited, asks the main process for the feed
server's state (`RemoteFeed`), says when it accepts, and asks to be replaced once idle
after a burst (`arret.workers.BURST`). It stops on SIGTERM (finishing what is in flight),
and when the main process ends (end of file on its pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

import uvicorn
from prometheus_client.core import Metric

from arret.feed.state import FeedUnavailable, OperatorFeed
from arret.http import memory
from arret.http.app import create_app
from arret.http.runtime import Runtime
from arret.services.database import checkpoint_in_background
from arret.workers import BURST, STOP_WAIT, Channel, Handoff

log = logging.getLogger("arret.http")


class RemoteFeed:
    """The feed server of the main process, asked through the channel."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def wake(self) -> None:
        try:
            self.channel.ask("wake")
        except FeedUnavailable as exc:  # the feed's next look at the database publishes it
            log.warning("could not ask the feed to publish now: %s", exc)

    def operator(self, name: str) -> OperatorFeed:
        try:
            found = self.channel.ask("operator", name)
        except FeedUnavailable as exc:
            log.warning("what the feed saw of %s is left out: %s", name, exc)
            return OperatorFeed()
        assert isinstance(found, OperatorFeed)
        return found

    def metrics(self) -> list[Metric]:
        found = self.channel.ask("metrics")
        assert isinstance(found, list)
        return found


class Http(uvicorn.Server):
    """uvicorn, whose signals are this process's to handle, not uvicorn's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def watch_life(fd: int, stop: Callable[[], None]) -> None:
    """Blocks until the main process ends (end of file on the pipe), then stops this one,
    killing it if what is in flight takes longer than `STOP_WAIT`."""
    while os.read(fd, 1):
        pass
    log.warning("the main process of arret serve ended: this HTTP worker stops")
    stop()
    threading.Timer(STOP_WAIT, os._exit, (1,)).start()


async def serve(handoff: Handoff, channel: Channel) -> int:
    memory.bound_threads()
    engine = handoff.database.open()
    checkpoint_in_background(engine)  # the main process copies the write-ahead log
    loop = asyncio.get_running_loop()
    retiring = threading.Event()

    def settled(peak: int) -> None:
        if peak >= BURST and not retiring.is_set():
            retiring.set()
            loop.run_in_executor(None, ask_to_retire)

    def ask_to_retire() -> None:
        try:
            channel.ask("retire")
        except FeedUnavailable as exc:
            log.warning("could not ask to be replaced after a burst: %s", exc)

    app = create_app(Runtime(engine, handoff.clock, handoff.settings, RemoteFeed(channel)),
                     settled=settled)  # fmt: skip
    server = Http(
        uvicorn.Config(
            app,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            log_config=None,
            lifespan="off",
            log_level="info" if handoff.verbose else "warning",
        )
    )

    def stop() -> None:
        server.should_exit = True

    loop.add_signal_handler(signal.SIGTERM, stop)
    threading.Thread(
        target=watch_life, args=(handoff.life, lambda: loop.call_soon_threadsafe(stop)),
        daemon=True, name="life",
    ).start()  # fmt: skip
    sock = socket.socket(fileno=handoff.http)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            return 1
        await asyncio.sleep(0.01)
    try:
        await loop.run_in_executor(None, channel.ask, "ready")
    except FeedUnavailable as exc:
        log.error("could not tell the main process this worker accepts: %s", exc)
        stop()
    await task
    engine.dispose()
    return 0


def main() -> None:
    # Ctrl-C in a terminal reaches every process of the group: the main process stops
    # this one. Ignored before the wait for settings, which may be long (the main process
    # starts this one before its feed loads: the imports above run meanwhile).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        handoff = pickle.load(sys.stdin.buffer)
    except EOFError:  # the main process could not start: no settings, nothing to do
        sys.exit(0)
    assert isinstance(handoff, Handoff)
    logging.basicConfig(
        level=logging.INFO if handoff.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    channel = Channel(Connection(handoff.channel))
    sys.exit(asyncio.run(serve(handoff, channel)))


if __name__ == "__main__":
    main()
