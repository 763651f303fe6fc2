"""Compliance probing as a use case: plan the probes of each operator from the registry,
ask its declared resolvers (and a control resolver, if one is given), judge each answer,
and keep every result as evidence.

A round streams: one operator's plan at a time is held, questions go to the runner as
it has room for them, each name's answers are judged as soon as all its resolvers (and
the control) have answered, and results go to the database in batches. What stays in
memory is one operator's plan and the names in flight, not the round's answers."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import ClassVar

from sqlalchemy import Connection, Engine

from arret.domain.instants import Clock
from arret.domain.operators import check_endpoint
from arret.domain.policy import Policy, compile_policy, stream_rules
from arret.errors import ArretError
from arret.probes import remote, runner
from arret.probes.plan import Ended, Planned, iter_plan
from arret.probes.records import Result

__all__ = ["Result", "Round", "Settings", "iter_plan_operator", "plan_operator", "probe", "run"]
from arret.probes.verdict import Kind, Observation, Purpose, classify
from arret.probes.wire import observe
from arret.services import feed, registry
from arret.store import probes as store_probes
from arret.store import registry as store
from arret.store.bulk import large_write

#: Ended orders are probed this long after their end (30 days unless told otherwise).
WINDOW = timedelta(days=30)
#: A sampled round always asks the names that became blocked, or stopped being blocked,
#: this recently (a sample would likely miss the changes an auditor watches most), on
#: top of the names drawn from the others.
RECENT = timedelta(hours=1)
#: Results are written to the database this many at a time (one commit each; up to four
#: batches are held at once: the one filling, two waiting, the one being written).
BATCH = 10_000
#: SQLite's page cache while a round writes its results, in KiB: 128 MiB (the import's)
#: took `arret probe` of a million names to 312 MiB at its peak, over its 300 MB bound.
WRITE_CACHE_KIB = 65_536
#: Progress is reported every this many answers (and at the last).
PROGRESS = 1000
#: The last instant an order ending at `t` was in force.
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Settings:
    window: timedelta = WINDOW
    canaries: tuple[str, ...] = ()
    control: str | None = None
    sample: int | None = None
    concurrency: int = 200
    timeout: float = 2.0
    retries: int = 1
    #: 1: the questions are asked from this process; 2: from a child process
    #: (`arret.probes.remote`), while this one plans, judges and stores. `arret probe`
    #: takes 2; the rounds of `arret serve` take 1, leaving its other core to the feed.
    processes: int = 1


@dataclass
class Round:
    """What a round did."""

    #: Results by (operator, resolver, purpose, verdict).
    kinds: Counter[tuple[str, str, Purpose, Kind]] = field(default_factory=Counter)
    #: Per operator: the names a full round asks of each resolver, and those asked.
    planned: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)
    #: Per operator: the questions per name (its resolvers, and the control if any).
    per_name: dict[str, int] = field(default_factory=dict)
    #: The runner's counts: questions, datagrams, retries, timeouts.
    counts: runner.Counts = field(default_factory=runner.Counts)
    #: Wall seconds the questions took (monotonic clock).
    seconds: float = 0.0

    @property
    def results(self) -> int:
        return sum(self.kinds.values())

    @property
    def rate(self) -> float | None:
        """Questions answered (or given up) per second."""
        done = self.counts.answered + self.counts.timeouts
        return done / self.seconds if self.seconds > 0 and done else None


class _Labels:
    """Fresh random labels from the system's randomness (`os.urandom`, as `secrets`),
    read 4 KiB at a time: one read per name was a fifth of a million-name round's time
    in the process that judges (`bench/probe.py`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hex = ""
        self.at = 0

    def __call__(self) -> str:
        with self.lock:
            if self.at >= len(self.hex):
                self.hex, self.at = os.urandom(4096).hex(), 0
            self.at += 8
            return self.hex[self.at - 8 : self.at]


_labels = _Labels()


def fresh_label(name: str) -> str:
    """A name below `name` that nobody could have listed in advance."""
    return f"arret-{_labels()}.{name}"


class _Since(Mapping[tuple[int, str], datetime]):
    """When each (order, name) began blocking: the order's effective instant, or the
    target's addition when it came later (an amendment). Only those later additions are
    kept by name: a million-name order costs one entry, not a million."""

    def __init__(self) -> None:
        self.effective: dict[int, datetime] = {}
        self.later: dict[tuple[int, str], datetime] = {}

    def __getitem__(self, key: tuple[int, str]) -> datetime:
        found = self.later.get(key)
        return found if found is not None else self.effective[key[0]]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        raise TypeError("not iterable: only looked up")

    def __len__(self) -> int:
        return len(self.effective)


def iter_plan_operator(
    conn: Connection,
    operator: str,
    now: datetime,
    settings: Settings,
    label: Callable[[str], str] = fresh_label,
) -> Iterator[Planned]:
    """The probes of `operator` at `now`, one at a time. The policy's rules stream from
    the database ordered by name (`stream_rules`): a million rules are never held — the
    plan holds only the rules its few other questions (names whose order ended, canaries)
    are looked up in. Reads `conn` while it is iterated: keep it open until then."""
    store.get_operator(conn, operator)
    allowed = registry.current_allowed(conn, now)
    addressed = store.list_orders(conn, operator)
    blocked_since = _Since()
    blocked_since.effective, blocked_since.later = store_probes.blocking_starts(
        conn, [o.id for o in addressed if o.in_force_at(now)], now
    )
    ended: dict[str, Ended] = {}
    for summary in addressed:
        if not now - settings.window < summary.ends_at <= now:
            continue
        order = store.load_order(conn, summary.id)
        end = order.ends_at
        for target in order.targets_at(end - _JUST_BEFORE):
            seen = ended.get(target.name)
            orders = (seen.orders if seen else ()) + (order.id,)
            at = max(end, seen.at) if seen else end
            ended[target.name] = Ended(target.name, target.scope, orders, at)
    notice_host = feed.settings_of(conn).notice_host.rstrip(".")
    canaries = [c.rstrip(".").lower() for c in settings.canaries]
    # The rules those few names are looked up in: theirs and their parents'.
    looked_up = sorted({parent for name in [*ended, *canaries] for parent in _and_parents(name)})
    lookup = compile_policy(
        operator, now, store.covering_rows(conn, operator, now, names=looked_up), allowed
    ) if looked_up else Policy(operator, now, ())  # fmt: skip
    rules = stream_rules(store.covering_rows(conn, operator, now, grouped=True), allowed)
    return iter_plan(lookup, blocked_since, list(ended.values()), canaries, notice_host, label,
                     rules)  # fmt: skip


def _and_parents(name: str) -> Iterator[str]:
    labels = name.split(".")
    for i in range(len(labels) - 1):
        yield ".".join(labels[i:])


def plan_operator(
    conn: Connection,
    operator: str,
    now: datetime,
    settings: Settings,
    label: Callable[[str], str] = fresh_label,
) -> list[Planned]:
    return list(iter_plan_operator(conn, operator, now, settings, label))


def sampled(
    planned: Iterable[Planned], sample: int | None, rng: Random, now: datetime
) -> Iterator[Planned]:
    """With a sample size: every canary, every name whose instant (`since`) fell within
    `RECENT` of `now`, and `sample` of the other names drawn uniformly at random without
    replacement (reservoir sampling: one pass, `sample` names held). Without: all."""
    if sample is None:
        yield from planned
        return
    reservoir: list[Planned] = []
    seen = 0
    for p in planned:
        if not p.orders or (p.since is not None and now - RECENT <= p.since <= now):
            yield p
            continue
        if len(reservoir) < sample:
            reservoir.append(p)
        else:
            j = rng.randrange(seen + 1)
            if j < sample:
                reservoir[j] = p
        seen += 1
    yield from reservoir


class _Writer:
    """Writes the batches of results in a thread of its own, in order, while the round
    goes on: SQLite and PostgreSQL do their part of a write without Python's lock, which
    the round's judging then has (`bench/probe.py`). At most `waiting` batches wait; an
    error in a write stops the round at its next batch, or at the end."""

    _END: ClassVar[list[Result]] = []  # the end, told by identity

    def __init__(
        self,
        write: Callable[[list[Result]], None],
        finish: Callable[[], object] = lambda: None,
        waiting: int = 2,
    ) -> None:
        self.write = write
        self.finish = finish
        self.queue: queue.Queue[list[Result]] = queue.Queue(waiting)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="arret-probe-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not self._END:
            if self.error is None:
                try:
                    self.write(batch)
                except BaseException as exc:  # raised in the round's thread
                    self.error = exc
        try:
            self.finish()  # in this thread, which used what it closes
        except BaseException as exc:
            self.error = self.error or exc

    def put(self, batch: list[Result]) -> None:
        self._raise()
        self.queue.put(batch)

    def close(self) -> None:
        """Wait for every batch given to be written; raise the first write's error."""
        self.queue.put(self._END)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


class _Join:
    """One planned name's answers, until every resolver asked (and the control) has one."""

    __slots__ = ("control", "operator", "planned", "remaining", "resolvers", "seen")

    def __init__(self, operator: str, resolvers: tuple[str, ...], planned: Planned,
                 remaining: int) -> None:  # fmt: skip
        self.operator = operator
        self.resolvers = resolvers
        self.planned = planned
        self.remaining = remaining
        self.seen: dict[str, Observation] = {}
        self.control: Observation | None = None


def run(
    engine: Engine,
    clock: Clock,
    operators: Sequence[str] | None,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    rng: Random | None = None,
    sink: Callable[[list[Result]], None] | None = None,
    batch: int = BATCH,
) -> Round:
    """Probe the operators (all when None); every result goes to `sink` in batches (by
    default: stored, one transaction per batch). Returns the round's counts."""
    control = check_endpoint(settings.control) if settings.control else None
    now = clock.now()
    rng = rng or Random()
    with engine.connect() as conn:
        known = sorted(op.name for op in store.list_operators(conn))
        chosen = []
        for name in operators if operators is not None else known:
            op = store.get_operator(conn, name)
            if operators is not None and not op.probe:
                raise ArretError(
                    f"operator {name!r} declares no resolver to probe; add one: "
                    f"arret operator edit {name} --probe HOST:PORT"
                )
            if op.probe:
                chosen.append((op.name, tuple(op.probe)))

    held = contextlib.ExitStack()
    writing: list[Connection] = []

    def store_batch(results: list[Result]) -> None:
        # One connection for the round, with a large page cache: a million names' results
        # go into an index by asked name (random labels, so in no order), which SQLite's
        # default 2 MiB cache turned into a disk read and a write per row (68 µs a row).
        if not writing:
            writing.append(held.enter_context(engine.connect()))
            held.enter_context(large_write(writing[0], WRITE_CACHE_KIB))
        with writing[0].begin():
            store_probes.save(writing[0], results)

    write = sink or store_batch
    out = Round()
    total = 0

    def questions() -> Iterator[runner.Question]:
        nonlocal total
        for name, resolvers in chosen:
            per_name = len(resolvers) + (control is not None)
            out.per_name[name] = per_name
            out.planned[name] = out.asked[name] = 0

            def counted(planned: Iterable[Planned], name: str = name) -> Iterator[Planned]:
                for p in planned:
                    out.planned[name] += 1
                    yield p

            # The plan streams from this connection: it stays open while it is asked.
            with engine.connect() as conn:
                planned = iter_plan_operator(conn, name, now, settings)
                for p in sampled(counted(planned), settings.sample, rng, now):
                    out.asked[name] += 1
                    total += per_name
                    join = _Join(name, resolvers, p, per_name)
                    for resolver in resolvers:
                        yield runner.Question(resolver, p.name, ref=(join, resolver))
                    if control is not None:
                        yield runner.Question(control, p.name, ref=(join, None))

    buffer: list[Result] = []
    done = 0
    began = time.monotonic()
    asker = remote.ask if settings.processes > 1 else runner.ask
    writer = _Writer(write, held.close)
    finished = False
    try:
        for answer in asker(questions(), clock, settings.concurrency, settings.timeout,
                            settings.retries, out.counts):  # fmt: skip
            join, resolver = answer.question.ref
            seen = observe(answer.wire, answer.question.resolver, answer.at, answer.latency,
                           answer.question.name)  # fmt: skip
            if resolver is None:
                join.control = seen
            else:
                join.seen[resolver] = seen
            join.remaining -= 1
            done += 1
            if join.remaining:
                continue
            p = join.planned
            for r in join.resolvers:
                observed = join.seen[r]
                verdict = classify(p.expectation, observed, join.control)
                buffer.append(
                    Result(
                        operator=join.operator, resolver=r, name=p.name, target=p.target,
                        purpose=p.expectation.purpose, orders=p.orders, since=p.since,
                        expected=p.expectation.action, verdict=verdict.kind, how=verdict.how,
                        at=observed.at, latency=observed.latency, rcode=observed.rcode,
                        answers=observed.answers, ede=observed.ede, reason=verdict.reason,
                    )
                )  # fmt: skip
                out.kinds[(join.operator, r, p.expectation.purpose, verdict.kind)] += 1
            if progress is not None and (done % PROGRESS == 0 or done == total):
                progress(done, total)
            if len(buffer) >= batch:
                writer.put(buffer)
                buffer = []
        out.seconds = time.monotonic() - began
        if buffer:
            writer.put(buffer)
        finished = True
    finally:
        try:
            writer.close()  # what was judged is kept, even when the round fails
        except BaseException:
            if finished:
                raise
    return out


def probe(
    engine: Engine,
    clock: Clock,
    operators: Sequence[str] | None,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    rng: Random | None = None,
) -> list[Result]:
    """Probe the operators (all when None), store and return every result (all held in
    memory: for small rounds; `run` streams)."""
    kept: list[Result] = []

    def keep(results: list[Result]) -> None:
        with engine.begin() as conn:
            store_probes.save(conn, results)
        kept.extend(results)

    run(engine, clock, operators, settings, progress, rng, keep)
    return kept
