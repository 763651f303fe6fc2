"""The HTTP worker process of `arret serve`: started, replaced once idle after a burst of
requests, and started again if it ends.

Why a process of its own. A burst of concurrent requests leaves blocks that outlive it
scattered over the pages it took (asyncio's and uvicorn's tables grown for 200
connections, blocks the allocator keeps for reuse): however well memory is trimmed
(`arret.http.memory`), the process keeps about 1 MiB of every such burst. A process that
ends gives back everything. So the web UI, the API and the notice page are answered by a
worker process, and a worker that saw a burst is replaced by a fresh one once it has been
idle for its trims — what gunicorn's `max_requests` does, decided by what the worker saw
rather than by a count. And whatever happens while answering HTTP (memory exhausted by a
request, a crash in a library) ends the worker, never the feed: DNS answers, publication
and NOTIFY go on in the main process while another worker is started.

How. The main process binds the HTTP socket once and every worker inherits it: two
workers may accept on it at once, so no connection is refused while one takes over from
another, and connections wait in the socket's backlog while none runs. A worker gets its
settings on its standard input (pickled: the session secret is not on its command line)
and two descriptors:

- a channel (a socket pair) on which it asks the feed server what `arret.feed.state`
  lists (metrics, an operator's resolvers, "publish now" after a write) and says it is
  ready or wants to be replaced — answered here by a thread per worker;
- the read end of a pipe whose write end only the main process holds: when the main
  process ends, however it ends (even killed), the worker reads end-of-file and stops.

A worker is stopped by SIGTERM: it stops accepting, finishes the requests in flight, and
exits; after `STOP_WAIT` seconds it is killed.
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
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from arret.cli.start import returning_allocator
from arret.domain.instants import Clock
from arret.errors import ArretError
from arret.feed.state import FeedState, FeedUnavailable
from arret.http.runtime import HttpSettings
from arret.services.database import EngineSpec

log = logging.getLogger("arret.http")

#: Seconds a new worker has to accept connections (importing the HTTP stack takes about
#: 0.5 s on an idle machine).
START_WAIT = 60.0
#: Seconds a stopped worker has to finish the requests in flight before it is killed.
STOP_WAIT = 60.0
#: Seconds a worker waits for the main process to answer one question.
ASK_WAIT = 10.0
#: A worker that had this many requests in flight at once asks to be replaced once idle.
#: Below it, no replacement: a few people on the web UI and a metrics scraper never reach
#: it (each costs a worker start, about a second of CPU). The bound is the number of
#: threads that build answers (`arret.http.memory.HTTP_THREADS`) twice over: a queue of
#: requests waiting for them.
BURST = 16
#: Seconds before a worker that ended by itself is started again; doubled, up to
#: `RESTART_MAX`, while each one ends within `RESTART_RESET` seconds of its start (a
#: request that crashes the worker, sent again and again, costs a start each time).
RESTART_FIRST = 0.25
RESTART_MAX = 30.0
RESTART_RESET = 60.0


@dataclass(frozen=True)
class Handoff:
    """What a worker is given on its standard input."""

    database: EngineSpec
    clock: Clock
    settings: HttpSettings
    verbose: bool
    #: Its inherited descriptors: the listening HTTP socket, its channel, the pipe's end.
    http: int
    channel: int
    life: int


class Channel:
    """One side of a worker's channel: a question, then its answer. Safe from several
    threads (one question at a time); an answer that comes after its question was given up
    is skipped."""

    def __init__(self, conn: Connection, wait: float = ASK_WAIT) -> None:
        self.conn = conn
        self.wait = wait
        self._lock = threading.Lock()
        self._asked = 0

    def ask(self, question: str, argument: Any = None) -> Any:
        with self._lock:
            self._asked += 1
            ident = self._asked
            deadline = time.monotonic() + self.wait
            try:
                self.conn.send((ident, question, argument))
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self.conn.poll(left):
                        raise FeedUnavailable(
                            f"the feed server did not answer {question!r} within {self.wait:g} s"
                        )
                    answered, ok, value = self.conn.recv()
                    if answered == ident:
                        break
            except (OSError, EOFError) as exc:
                raise FeedUnavailable(
                    f"the channel to the feed server is closed: {exc!r}"
                ) from None
        if not ok:
            raise FeedUnavailable(f"the feed server could not answer {question!r}: {value}")
        return value


@dataclass(eq=False)
class Worker:
    """One worker process, as the main process sees it."""

    process: asyncio.subprocess.Process
    channel: Connection
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    retire: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    #: When it was started (`time.monotonic`).
    started: float = field(default_factory=time.monotonic)
    #: Its channel's descriptor number, as it inherited it.
    channel_fd: int = -1

    @property
    def pid(self) -> int:
        return self.process.pid


class HttpWorkers:
    """The HTTP worker of this `arret serve`, and the one replacing it."""

    def __init__(
        self,
        sock: socket.socket,
        database: EngineSpec,
        clock: Clock,
        feed: FeedState,
        verbose: bool = False,
    ) -> None:
        self.sock = sock
        self.database = database
        self.clock = clock
        self.feed = feed
        self.verbose = verbose
        #: Known once the feed listens (the snippets name its DNS port): `start`.
        self.settings: HttpSettings | None = None
        self.current: Worker | None = None
        self.workers: set[Worker] = set()
        #: Workers replaced after a burst, and workers that ended by themselves.
        self.replaced = 0
        self.ended = 0
        self._life_read, self._life_write = os.pipe()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._early: Worker | None = None

    async def prepare(self) -> None:
        """Start the first worker's process now, before its settings are known: it
        imports the HTTP stack (the longest part of its start) while the feed loads and
        publishes, and waits for its settings (`start`)."""
        self._loop = asyncio.get_running_loop()
        self._early = await self._spawn()

    async def start(self, settings: HttpSettings) -> None:
        """The first worker (the one `prepare` started, if any), once it accepts;
        ArretError when it cannot start."""
        self._loop = asyncio.get_running_loop()
        self.settings = settings
        worker, self._early = self._early or await self._spawn(), None
        await self._hand(worker)
        if not await self._until_ready(worker):
            await self._stop(worker)
            raise ArretError(
                f"the HTTP worker did not start (exit status {worker.process.returncode}; "
                "its error is above)"
            )
        self.current = worker

    async def abandon(self) -> None:
        """The feed could not start: the worker `prepare` started ends without settings."""
        worker, self._early = self._early, None
        if worker is not None:
            assert worker.process.stdin is not None
            worker.process.stdin.close()  # end of file: it exits
            await _first(worker.ended.wait(), asyncio.sleep(STOP_WAIT))
            if not worker.ended.is_set():
                await self._stop(worker)

    async def run(self, stop: asyncio.Event) -> None:
        """Replace the worker when it asks, start another when it ends, until `stop`;
        then stop every worker."""
        delay = RESTART_FIRST / 2
        try:
            while not stop.is_set():
                worker = self.current
                assert worker is not None
                await _first(stop.wait(), worker.ended.wait(), worker.retire.wait())
                if stop.is_set():
                    break
                if worker.ended.is_set():
                    self.ended += 1
                    lived = time.monotonic() - worker.started
                    delay = RESTART_FIRST if lived >= RESTART_RESET else min(delay * 2, RESTART_MAX)
                    log.warning("the HTTP worker (process %d) ended with status %s after %.0f s; "
                                "starting another in %g s", worker.pid, worker.process.returncode,
                                lived, delay)  # fmt: skip
                    await _first(stop.wait(), asyncio.sleep(delay))
                    if stop.is_set():
                        break
                    new = await self._spawn()
                    await self._hand(new)
                    if not await self._until_ready(new):
                        await self._stop(new)  # `ended` is set: the next turn starts another
                    self.current = new
                else:
                    await self._replace(worker)
        finally:
            await asyncio.gather(*(self._stop(w) for w in list(self.workers)))
            os.close(self._life_write)
            os.close(self._life_read)

    async def _replace(self, worker: Worker) -> None:
        new = await self._spawn()
        await self._hand(new)
        if not await self._until_ready(new):
            log.warning("a new HTTP worker did not start (status %s); process %d goes on",
                        new.process.returncode, worker.pid)  # fmt: skip
            await self._stop(new)
            worker.retire.clear()
            return
        self.current = new
        self.replaced += 1
        log.info("HTTP worker %d replaced by %d after a burst", worker.pid, new.pid)
        task = asyncio.create_task(self._stop(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn(self) -> Worker:
        here, there = socket.socketpair()
        channel = there.fileno()
        env = None if "PYTHONMALLOC" in os.environ else returning_allocator(os.environ)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "arret.http.worker",
                stdin=asyncio.subprocess.PIPE,
                pass_fds=(self.sock.fileno(), channel, self._life_read),
                env=env,
            )  # fmt: skip
        finally:
            there.close()
        worker = Worker(process, Connection(here.detach()), channel_fd=channel)
        self.workers.add(worker)
        threading.Thread(target=self._answer, args=(worker,), daemon=True,
                         name=f"http-worker-{worker.pid}").start()  # fmt: skip
        task = asyncio.create_task(self._reap(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return worker

    async def _hand(self, worker: Worker) -> None:
        """Give `worker` its settings (it waits for them on its standard input)."""
        assert self.settings is not None
        handoff = Handoff(self.database, self.clock, self.settings, self.verbose,
                          self.sock.fileno(), worker.channel_fd, self._life_read)  # fmt: skip
        assert worker.process.stdin is not None
        with contextlib.suppress(ConnectionError):  # it ended at once: `ended` says so
            worker.process.stdin.write(pickle.dumps(handoff))
            await worker.process.stdin.drain()
            worker.process.stdin.close()

    async def _reap(self, worker: Worker) -> None:
        await worker.process.wait()
        worker.ended.set()
        self.workers.discard(worker)

    async def _until_ready(self, worker: Worker) -> bool:
        await _first(worker.ready.wait(), worker.ended.wait(), asyncio.sleep(START_WAIT))
        return worker.ready.is_set() and not worker.ended.is_set()

    async def _stop(self, worker: Worker) -> None:
        if worker.ended.is_set():
            return
        with contextlib.suppress(ProcessLookupError):
            worker.process.send_signal(signal.SIGTERM)
        await _first(worker.ended.wait(), asyncio.sleep(STOP_WAIT))
        if not worker.ended.is_set():
            log.warning("the HTTP worker (process %d) did not stop within %g s: killed",
                        worker.pid, STOP_WAIT)  # fmt: skip
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
            await worker.ended.wait()

    def _answer(self, worker: Worker) -> None:
        """Answers `worker`'s questions until its channel closes (in a thread of its own:
        the feed's state is read as the HTTP threads read it in one process)."""
        conn = worker.channel
        with conn:
            while True:
                try:
                    ident, question, argument = conn.recv()
                except (EOFError, OSError):
                    return
                try:
                    reply = (ident, True, self._answer_one(worker, question, argument))
                except Exception as exc:  # told to the worker, which says so to its client
                    log.exception("answering the HTTP worker's %r failed", question)
                    reply = (ident, False, str(exc))
                try:
                    conn.send(reply)
                except OSError:
                    return

    def _answer_one(self, worker: Worker, question: str, argument: Any) -> Any:
        loop = self._loop
        assert loop is not None
        if question == "ready":
            loop.call_soon_threadsafe(worker.ready.set)
        elif question == "retire":
            loop.call_soon_threadsafe(worker.retire.set)
        elif question == "wake":
            self.feed.wake()
        elif question == "operator":
            return self.feed.operator(str(argument))
        elif question == "metrics":
            return [*self.feed.metrics(), *self.metrics()]
        else:
            raise ValueError(f"unknown question {question!r}")
        return None

    def metrics(self) -> list[Metric]:
        replaced = CounterMetricFamily(
            "arret_http_workers_replaced",
            "HTTP worker processes replaced by a fresh one after a burst of requests.",
        )
        replaced.add_metric([], self.replaced)
        ended = CounterMetricFamily(
            "arret_http_workers_ended",
            "HTTP worker processes that ended by themselves (started again; logged).",
        )
        ended.add_metric([], self.ended)
        running = GaugeMetricFamily(
            "arret_http_workers", "HTTP worker processes running (2 while one replaces another)."
        )
        running.add_metric([], len(self.workers))
        return [replaced, ended, running]


async def _first(*waits: Any) -> None:
    """Wait until the first of `waits` (coroutines) is done; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
