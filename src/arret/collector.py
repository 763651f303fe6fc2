"""Python's cyclic garbage collector, paused while millions of acyclic objects are built:
used by the store (a large order written, a zone read whole) and by the CLI (a targets
file read)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused inside (for this whole process), then
    back as it was: for building millions of small objects none of which is in a cycle
    (a large order's targets, payload and zone entries; a zone read whole). Each
    generation of them made the collector walk every object still alive, again and
    again: a third of the Python time of registering a million names, a sixth of reading
    a zone of two million entries. Collected as usual afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
