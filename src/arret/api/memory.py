"""Memory given back after a burst of requests.

Two hundred clients reading a large order at once make the server build two hundred
answers; once they are sent, the C allocator keeps the freed memory for reuse and the
process stays at its peak. When the last request in flight is answered, this middleware
asks glibc to return its free memory to the system (`malloc_trim`), at most once a second.
Where the C library has no `malloc_trim` (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable

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


class GiveBackMemory:
    def __init__(
        self,
        app: ASGIApp,
        trim: Callable[[], None] | None = _malloc_trim(),  # noqa: B008 - found once
        every: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.trim = trim
        self.every = every
        self.monotonic = monotonic
        self.in_flight = 0
        self.last = -every

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.trim is None:
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            now = self.monotonic()
            if self.in_flight == 0 and now - self.last >= self.every:
                self.last = now
                await run_in_threadpool(self.trim)
