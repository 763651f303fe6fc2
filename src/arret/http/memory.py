"""Memory given back after a burst of requests.

Two hundred clients reading a large order at once make the server build two hundred
answers; once they are sent, the C allocator keeps the freed memory for reuse and the
process stays at its peak. When the last request in flight is answered, this middleware
asks glibc to return its free memory to the system (`malloc_trim`), at most once a second.
Where the C library has no `malloc_trim` (musl, macOS) it does nothing.

A trim returns only whole free pages. After a burst, a few thousand blocks that outlive it
are scattered through the pages the burst took, and each keeps its page: the objects
CPython keeps on its free lists for reuse (the row tuples freed last, among others), and
what the database connections the pool kept grew during the burst (SQLite's schema,
prepared statements and page cache of connections opened for it). Once the server has
been idle for a while, `release` empties the former (a full garbage collection) and closes
the latter (the next request opens a connection again) before the trim.

Two more things kept pages from the trim. Both were found by measuring against a baseline
taken the way the figure after a burst is: idle, after the server's own release (a baseline
taken 1 s after the first request, before that release, is 1.4 MiB higher and hid them).

- glibc's per-thread cache (tcache): each thread keeps up to 7 freed blocks of each of 64
  sizes for itself, which the allocator counts as in use, and the event loop's thread
  never ends. After a burst its cache holds the blocks freed last, spread over the pages
  the burst took, and no trim can give those pages back. `arret serve` starts with it
  off (`arret.cli.start.returning_allocator`); glibc's fast bins still serve small blocks
  quickly, and the trim consolidates them.
- The number of threads building answers at once: anyio's default of 40 spreads a burst,
  and the few blocks that outlive it, over more pages. Answers hold the GIL while they
  are built, so more threads do not answer sooner: `bound_threads` allows `HTTP_THREADS`.

`bench/http_memory.py` (2 x 200 concurrent reads of a 5,000-name order, MiB kept 20 s
after the last answer; the idle baseline varies by less than 0.01 MiB over 5 s and by
0.2 MiB from one fresh server to the next): 3.6-3.8 kept before, 2.8-3.6 with 4 threads
alone, 0.8-1.5 with both (median 1.0 over 9 runs at 4 threads; 1.07-1.08 at 8, the
setting) and 1.7-1.9 for the HTML page, in as much CPU time; the peak went from 158 to
136 MiB. What stays are blocks that outlive the burst (grown sets and dicts of asyncio,
anyio, uvicorn) and the pages they share. Traced (tracemalloc, an idle snapshot before a
burst against one 20 s after it), the Python blocks grown are eight hash tables sized for
200 connections, about 200 KB: asyncio's set of all tasks and its loop's sets of async
generators and transports, the selector's map of descriptors, anyio's limiter queue and
task states, uvicorn's sets of connections and tasks. Reserving them at start (growing each
once, so a burst finds them sized) was not done: it writes into the private state of four
libraries, and a second burst, which finds them grown, still keeps 0.43-0.55 MiB — the
other blocks a burst leaves scattered — so it would not reach the baseline either.
Ruled out, each with the cache off: one glibc arena instead of two (2.0 kept at 40
threads, against 1.2-1.6), eight arenas (2.4-3.0 at 4 threads), a fixed mmap threshold of
64 KiB (1.5-1.7 at 8 threads, against 1.1); and jemalloc (`LD_PRELOAD` of Debian's
libjemalloc2, 9-16 MiB kept 17 s after a burst, though faster).
Ruled out too: bounding the connections served at once (the others waiting in the listen
backlog). The same 400 reads by 16 clients at a time (`--clients 16 --rounds 25`) kept
0.7-2.4 MiB, against 1.8-8.3 MiB for 200 at a time in the same session, on a machine
loaded by other work: the pages are pinned by the answers built, not by how many
connections are open at once. What returns to the baseline is `arret.workers`: the HTTP
worker process that answered a burst is replaced once idle, after these trims
(`GiveBackMemory.settled`), by a fresh one.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import time
from collections.abc import Callable
from functools import partial

import anyio.to_thread
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send


def _malloc_trim() -> Callable[[], None] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def run() -> None:
        trim(0)

    return run


def release(engine: Engine) -> None:
    """Frees the blocks a burst left alive that a trim cannot return around: CPython's
    free lists (a full collection empties them) and the pooled database connections
    (closed; those checked out are closed when given back)."""
    gc.collect()
    engine.dispose()


#: The most threads that run the application's blocking work at once (anyio's default: 40).
#: Answering takes the GIL, so more do not answer sooner; they spread a burst over more
#: memory. It also bounds the requests waiting at once in the database: while a long write
#: holds SQLite's lock, each waiting write holds a thread up to `--lock-wait` before its
#: 503, and reads queue behind them. 8, not the 4 that kept least: 8 kept 1.07-1.08 MiB
#: after the bench's burst (4: 0.8-1.5), and twice as many writers can wait before a read
#: does.
HTTP_THREADS = 8


def bound_threads(threads: int = HTTP_THREADS) -> None:
    """Lets at most `threads` worker threads run blocking work for this event loop (route
    handlers, dependencies, the trims here); called once inside the running loop."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


#: Seconds after the last request in flight ends at which memory is given back again, if
#: no request came meanwhile. At 1 s the bodies of a burst's last answers have left their
#: transports' buffers. anyio retires a worker thread idle for 10 s only when it is next
#: handed work: the trim at 12 s is that work (every thread of the burst but one retires),
#: and the one at 13 s returns what those threads held.
AFTERWARDS = (1.0, 12.0, 13.0)
#: The trims this long or longer after the last request in flight `release` first: after
#: an idle time, so that a server read every few seconds keeps its connections and does
#: not collect its garbage each time.
RELEASE_FROM = 10.0


class GiveBackMemory:
    """Trims when the last request in flight is answered, at most once per `every`
    seconds, and again at each of `afterwards` seconds later while the server stays idle;
    the later trims from `release_from` seconds on call `release` first.

    Measured with `bench/http_memory.py` (2 x 200 concurrent reads of a 5,000-name
    order), before the per-thread cache was turned off and against a baseline taken 1 s
    after the first request: a trim when the last answer is handed over left 34 to 38 MiB
    of the burst; the later ones without `release` 23 to 26 MiB, with it 4.5 to 6."""

    def __init__(
        self,
        app: ASGIApp,
        trim: Callable[[], None] | None = _malloc_trim(),  # noqa: B008 - found once
        every: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        later: Callable[[float, Callable[[], None]], None] | None = None,
        afterwards: tuple[float, ...] = AFTERWARDS,
        release: Callable[[], None] | None = None,
        release_from: float = RELEASE_FROM,
        settled: Callable[[int], None] | None = None,
    ) -> None:
        self.app = app
        self.trim = trim
        self.every = every
        self.monotonic = monotonic
        self.later = later
        self.afterwards = afterwards
        self.release = release
        self.release_from = release_from
        #: Called after the last of the `afterwards` trims, with the most requests that
        #: were in flight at once since the previous call: `arret.http.worker` asks to be
        #: replaced after a burst.
        self.settled = settled
        self.in_flight = 0
        self.peak = 0
        self.last = -every
        #: Counts the moments the server became idle: a trim scheduled after one of them
        #: is void once a request has come since.
        self.idle_since = 0
        self.pending: set[asyncio.Task[None]] = set()  # references keep them alive

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.trim is None:
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.idle_since += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                await self._idle()

    async def _idle(self) -> None:
        now = self.monotonic()
        if now - self.last >= self.every:
            await self._trim()
        idle = self.idle_since
        final = max(self.afterwards, default=None)
        for delay in self.afterwards:
            thorough = delay >= self.release_from
            self._schedule(delay, partial(self._afterwards, idle, thorough, delay == final))

    async def _trim(self, thorough: bool = False, final: bool = False) -> None:
        self.last = self.monotonic()
        await run_in_threadpool(self._give_back, thorough)
        if final and self.settled is not None and self.in_flight == 0:
            peak, self.peak = self.peak, 0
            self.settled(peak)

    def _give_back(self, thorough: bool) -> None:
        if thorough and self.release is not None:
            self.release()
        assert self.trim is not None
        self.trim()

    def _afterwards(self, idle: int, thorough: bool, final: bool = False) -> None:
        if self.in_flight == 0 and idle == self.idle_since:
            task = asyncio.get_running_loop().create_task(self._trim(thorough, final))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        if self.later is not None:
            self.later(delay, callback)
        else:
            asyncio.get_running_loop().call_later(delay, callback)
