"""The prober in a process of its own, so that asking and judging run on two cores.

A probe round is CPU-bound in Python: building and sending each question, matching each
answer (`arret.probes.runner`), then planning the next names, judging each answer and
storing each result (`arret.services.probing`). In one process they take turns on one
core; here the runner's loop runs in a child process and the caller's process does the
rest, each on its core. Measured with `bench/probe.py` (100k names, one Unbound on the
same 2-core machine), in the notes of that script.

The child is started with `spawn` (a fresh interpreter: nothing of the caller, such as
its open database connections, is shared) and talks to the caller through one pipe:

- caller → child: batches of questions `(index, resolver, name, rdtype)`, then "end";
- child → caller: batches of answers `(index, wire, latency, began, tries)`, then its
  counts, or the error that stopped it.

The caller keeps up to `AHEAD` questions handed to the child beyond those it has
answers for, so the child never waits for the caller's next batch while the caller
judges. `Answer.at` is read from the caller's clock, as `runner.ask` has it: between its
readings when the question was handed over and when the answer came back, where the
last try fell between them by the monotonic clock both processes read (`_between`).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from arret.domain.instants import Clock, SystemClock
from arret.errors import ArretError
from arret.probes.runner import WAIT, Answer, Counts, Prober, Question

#: Questions handed to the child beyond the answers received, per question in flight.
AHEAD = 4
#: Answers sent back to the caller at once, at most; and the longest an answer waits in
#: the child for its batch to fill (seconds).
BATCH = 256
FLUSH = 0.005
#: Seconds the caller waits for the child to end after its last answer.
JOIN = 10.0


def ask(
    questions: Iterable[Question],
    clock: Clock,
    concurrency: int = 200,
    timeout: float = 2.0,
    retries: int = 1,
    counts: Counts | None = None,
) -> Iterator[Answer]:
    """`runner.ask`, with the asking done by a child process: every question's answer
    (or timeout), as they come."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    child = context.Process(
        target=_child, args=(theirs, concurrency, timeout, retries), name="arret-prober"
    )
    child.start()
    theirs.close()
    source = iter(questions)
    handed: dict[int, tuple[Question, datetime, float]] = {}
    window = AHEAD * concurrency
    taken = 0
    exhausted = ended = False
    try:

        def hand_over() -> None:
            nonlocal taken, exhausted, ended
            batch = []
            while not exhausted and len(handed) < window:
                question = next(source, None)
                if question is None:
                    exhausted = True
                    break
                handed[taken] = (question, clock.now(), time.monotonic())
                batch.append((taken, question.resolver, question.name, question.rdtype))
                taken += 1
            if batch:
                mine.send(("questions", batch))
            if exhausted and not ended:
                mine.send(("end", None))
                ended = True

        hand_over()
        while True:
            kind, body = _receive(mine, child)
            if kind == "error":
                raise ArretError(f"probing stopped: {body}")
            if kind == "counts":
                if counts is not None:
                    for name, value in body.items():
                        setattr(counts, name, value)
                break
            received, now = time.monotonic(), clock.now()
            for index, wire, latency, began, tries in body:
                question, at, since = handed.pop(index)
                yield Answer(question, wire, latency, _between(at, now, since, began, received),
                             tries)  # fmt: skip
            hand_over()
        child.join(JOIN)
    finally:
        mine.close()
        if child.is_alive():
            child.kill()
            child.join(JOIN)


def _between(first: datetime, last: datetime, since: float, began: float, until: float) -> datetime:
    """When the last try was sent, by the caller's clock: `first` and `last` are its
    readings when the question was handed over and when the answer came back, `since`,
    `began` and `until` the monotonic clock's then and at the try. Placed between the
    two readings where the try fell between them: with a clock that runs, about when it
    was sent; with one that stands still (tests), that instant exactly."""
    if until <= since:
        return first
    share = min(1.0, max(0.0, (began - since) / (until - since)))
    return first + (last - first) * share


def _receive(pipe: Connection, child: Any) -> tuple[str, Any]:
    """The child's next message; an error when it died without saying why."""
    while not pipe.poll(0.5):
        if not child.is_alive():
            raise ArretError(f"probing stopped: the prober process ended ({child.exitcode})")
    try:
        kind, body = pipe.recv()
    except EOFError:
        raise ArretError("probing stopped: the prober process ended") from None
    return str(kind), body


def _child(pipe: Connection, concurrency: int, timeout: float, retries: int) -> None:
    """The child's loop: ask what the caller hands over, send back what comes."""
    inbox: deque[Question] = deque()
    ended = False
    out: list[tuple[Any, ...]] = []
    flushed = time.monotonic()

    def flush() -> None:
        nonlocal out, flushed
        if out:
            pipe.send(("answers", out))
            out = []
        flushed = time.monotonic()

    def source() -> Iterator[Question]:
        nonlocal ended
        while True:
            while not ended and pipe.poll():  # what the caller sent meanwhile
                kind, body = pipe.recv()
                if kind == "end":
                    ended = True
                else:
                    inbox.extend(Question(r, n, t, i) for i, r, n, t in body)
            if out and time.monotonic() - flushed >= FLUSH:
                flush()
            if inbox:
                yield inbox.popleft()
            elif ended:
                return
            else:
                yield WAIT  # the prober goes on with what is in flight and asks again

    prober = Prober(SystemClock(), concurrency, timeout, retries)
    try:
        for answer in prober.ask(source()):
            out.append((answer.question.ref, answer.wire, answer.latency,
                        time.monotonic() - answer.latency, answer.tries))  # fmt: skip
            if len(out) >= BATCH or time.monotonic() - flushed >= FLUSH:
                flush()
        flush()
        pipe.send(("counts", vars(prober.counts)))
    except (BrokenPipeError, EOFError):
        pass  # the caller has gone: nothing to tell it
    except Exception as exc:  # told to the caller, which raises it
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        prober.close()
        pipe.close()
