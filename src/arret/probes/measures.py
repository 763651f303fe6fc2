"""What the probe results say of each operator: compliance, over-blocking, canary
failures, errors, and how long names took to be blocked once their order took effect and
unblocked once it ended. Pure: the results and the instant `now` are given; `arret
report` and the web pages only show what comes out.

How the results are read:

- **A probed thing** (`Probed`) is what one resolver of one operator is asked about,
  round after round: a policy name (`Result.target`) or, for a subtree target, "a name
  below it". The runner asks a *fresh* generated name below a subtree each round
  (`services.probing.fresh_label`), so keying by the asked name would make every round's
  name a new thing, and the unblocked answers of the first rounds would weigh on
  compliance for ever. All the generated names below one target are one probed thing.
- **The standing** of a probed thing is its **latest** result (by `at`; results may
  come in any order, and a result after `now` is refused). Its purpose decides which
  share it counts in: once an order has ended, its names count in over-blocking, no
  longer in compliance.
- **Shares** count conclusive verdicts only (`blocked`, `not_blocked`, `wrong_action`):
  an `inconclusive` or `error` verdict proves neither a block nor its absence, so a dead
  resolver (only errors) is neither compliant nor blocking. Those verdicts are still
  counted, in the tallies, and `errors` / `error_share` show them. A share over no
  conclusive verdict is None, not 0.
- **Delays** (`Delay`): for a name in force, the first `blocked` observation minus
  `since`, the instant the name became blocked for this operator (the earliest `since`
  seen for the probed thing: when the first of two orders ends, the name stays blocked
  and the delay still counts from the first). For an ended name, the first
  `not_blocked` observation minus the end. Observations before `since` are ignored:
  they predate the order (or its end). `wrong_action` is not a block the order asked
  for, so it does not end the time-to-block. A name blocked again after its order
  ended keeps its first episode's delays: the results carry no episode.
- **Late, not missing**: a probed thing observed conclusively since `since` but never
  as required is *late*; its delay is at least `now - since`, and that lower bound is
  what enters the percentiles (it grows even after the order ends, and stays true). A
  thing with no conclusive observation since `since` (a dead resolver, a name that does
  not exist upstream) is *unknown*: counted, but out of the percentiles, for the same
  reason it is out of the shares.
- **Percentiles** use the nearest-rank definition (`nearest_rank`): the p-th percentile
  of n values is the ⌈p·n/100⌉-th smallest, always one of the values, so a report can be
  checked by hand. Delays are `timedelta`s, exact to the microsecond (`total_seconds()`
  for JSON).
- **Per order**: the delays of the results whose `orders` include it (a name blocked by
  two orders counts in both), from the `since` those results carry: the earliest of the
  name's orders' instants (`probes.plan`). The standing of the probed things whose
  latest result includes it (an order that has ended everywhere shows over-blocking only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose

#: The verdicts that prove something either way.
CONCLUSIVE = frozenset({Kind.BLOCKED, Kind.NOT_BLOCKED, Kind.WRONG_ACTION})


@dataclass(frozen=True, order=True)
class Probed:
    """What one resolver of one operator is asked about, round after round."""

    operator: str
    resolver: str
    #: The policy name (`Result.target`).
    target: str
    #: A generated name below a subtree target (a fresh one each round), not the target.
    below: bool = False

    @classmethod
    def of(cls, result: Result) -> Probed:
        return cls(result.operator, result.resolver, result.target, result.name != result.target)


@dataclass(frozen=True)
class Tally:
    """Latest verdicts, counted by kind."""

    blocked: int = 0
    not_blocked: int = 0
    wrong_action: int = 0
    inconclusive: int = 0
    error: int = 0

    @classmethod
    def of(cls, kinds: Iterable[Kind]) -> Tally:
        counts = Counter(kinds)
        return cls(**{kind.value: counts[kind] for kind in Kind})

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def conclusive(self) -> int:
        return self.blocked + self.not_blocked + self.wrong_action

    @property
    def total(self) -> int:
        return self.conclusive + self.inconclusive + self.error


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Standing:
    """Where a resolver (or all of an operator's) stands now: its latest verdicts."""

    in_force: Tally = Tally()
    ended: Tally = Tally()
    canary: Tally = Tally()

    def __add__(self, other: Standing) -> Standing:
        return Standing(
            self.in_force + other.in_force, self.ended + other.ended, self.canary + other.canary
        )

    @property
    def compliance(self) -> float | None:
        """Share of the conclusive in-force names blocked as the order says (0 to 1)."""
        return _share(self.in_force.blocked, self.in_force.conclusive)

    @property
    def wrong_action(self) -> int:
        """In-force names blocked otherwise than the order says: not compliant."""
        return self.in_force.wrong_action

    @property
    def over_blocking(self) -> float | None:
        """Share of the conclusive ended names still blocked, by any action (0 to 1)."""
        return _share(self.ended.blocked + self.ended.wrong_action, self.ended.conclusive)

    @property
    def canary_failures(self) -> int:
        """Canaries blocked or not answered: the resolver's other figures are suspect."""
        return self.canary.total - self.canary.not_blocked

    @property
    def total(self) -> int:
        return self.in_force.total + self.ended.total + self.canary.total

    @property
    def errors(self) -> int:
        return self.in_force.error + self.ended.error + self.canary.error

    @property
    def error_share(self) -> float | None:
        return _share(self.errors, self.total)


@dataclass(frozen=True)
class Delay:
    """How long one probed thing took to be blocked (in force) or unblocked (ended)."""

    probed: Probed
    purpose: Purpose
    since: datetime
    #: The delay; for a late thing, its lower bound `now - since`; None when unknown.
    value: timedelta | None
    #: Never observed as required by `now`, though observed conclusively.
    late: bool = False


def nearest_rank(values: Iterable[timedelta], percent: int) -> timedelta:
    """The `percent`-th percentile by nearest rank: the ⌈percent·n/100⌉-th smallest of
    the n values, the smallest value that at least `percent` % of them do not exceed."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no percentile of no values")
    if not 0 < percent <= 100:
        raise ValueError(f"a percentile is in ]0, 100], not {percent}")
    return ordered[-(-percent * len(ordered) // 100) - 1]


@dataclass(frozen=True)
class Distribution:
    """Delays, late ones with their lower bound: p50, p95 and max are lower bounds too
    when `late` is not 0."""

    #: The delays in the percentiles: measured ones and late ones.
    count: int = 0
    #: Of which late.
    late: int = 0
    #: Outside the percentiles: no conclusive observation since `since`.
    unknown: int = 0
    p50: timedelta | None = None
    p95: timedelta | None = None
    max: timedelta | None = None

    @classmethod
    def of(cls, delays: Iterable[Delay]) -> Distribution:
        delays = list(delays)
        values = [d.value for d in delays if d.value is not None]
        if not values:
            return cls(unknown=len(delays))
        return cls(
            count=len(values),
            late=sum(d.late for d in delays),
            unknown=len(delays) - len(values),
            p50=nearest_rank(values, 50),
            p95=nearest_rank(values, 95),
            max=max(values),
        )


@dataclass(frozen=True)
class Delays:
    to_block: Distribution = Distribution()
    to_unblock: Distribution = Distribution()

    @classmethod
    def of(cls, delays: Iterable[Delay]) -> Delays:
        delays = list(delays)
        return cls(
            Distribution.of(d for d in delays if d.purpose is Purpose.IN_FORCE),
            Distribution.of(d for d in delays if d.purpose is Purpose.ENDED),
        )


@dataclass(frozen=True)
class Measures:
    standing: Standing = Standing()
    delays: Delays = Delays()


@dataclass(frozen=True)
class OperatorMeasures:
    operator: str
    #: All its resolvers together.
    standing: Standing
    delays: Delays
    #: Each resolver alone, by HOST:PORT: which one lags.
    resolvers: Mapping[str, Measures]
    #: The names of each order, by order id.
    orders: Mapping[int, Measures]


@dataclass(frozen=True)
class Report:
    now: datetime
    operators: Mapping[str, OperatorMeasures]
    #: Each order across every operator.
    orders: Mapping[int, Measures]


def _chronological(result: Result) -> tuple[object, ...]:
    """Ordered by `at`; results at the same instant by all that the measures read, so
    that the measures never depend on the order the results come in."""
    since = (result.since is not None, result.since or result.at)
    return (result.at, result.purpose, result.verdict, since, result.orders, result.name)


def _histories(results: Iterable[Result], now: datetime) -> dict[Probed, list[Result]]:
    histories: dict[Probed, list[Result]] = defaultdict(list)
    future = 0
    for result in results:
        future += result.at > now
        histories[Probed.of(result)].append(result)
    if future:
        raise ValueError(f"{future} result(s) observed after now ({now.isoformat()})")
    for history in histories.values():
        history.sort(key=_chronological)
    return dict(sorted(histories.items()))


def _delay(probed: Probed, history: Sequence[Result], purpose: Purpose, now: datetime) -> Delay:
    mine = [r for r in history if r.purpose is purpose]
    since = min(r.since for r in mine if r.since is not None)
    goal = Kind.BLOCKED if purpose is Purpose.IN_FORCE else Kind.NOT_BLOCKED
    after = [r for r in mine if r.at >= since]
    reached = next((r.at for r in after if r.verdict is goal), None)
    if reached is not None:
        return Delay(probed, purpose, since, reached - since)
    if any(r.verdict in CONCLUSIVE for r in after):
        return Delay(probed, purpose, since, now - since, late=True)
    return Delay(probed, purpose, since, None)


def _delays_of(probed: Probed, history: Sequence[Result], now: datetime) -> list[Delay]:
    # A result without `since` (a canary, or one stored without it) has no instant to
    # count from; the thing still counts in the standing.
    purposes = {r.purpose for r in history if r.since is not None}
    return [
        _delay(probed, history, purpose, now)
        for purpose in (Purpose.IN_FORCE, Purpose.ENDED)
        if purpose in purposes
    ]


def delays(results: Iterable[Result], now: datetime, order: int | None = None) -> list[Delay]:
    """Every probed thing's delays (to block, to unblock), restricted to the results of
    `order` when one is given: the late names of a report, with their evidence's keys."""
    if order is not None:
        results = [r for r in results if order in r.orders]
    return [d for p, h in _histories(results, now).items() for d in _delays_of(p, h, now)]


def _standing(latest: Iterable[Result]) -> Standing:
    kinds: dict[Purpose, list[Kind]] = {purpose: [] for purpose in Purpose}
    for result in latest:
        kinds[result.purpose].append(result.verdict)
    return Standing(
        in_force=Tally.of(kinds[Purpose.IN_FORCE]),
        ended=Tally.of(kinds[Purpose.ENDED]),
        canary=Tally.of(kinds[Purpose.CANARY]),
    )


def measure(results: Iterable[Result], now: datetime) -> Report:
    """The measures of every operator, resolver and order, as of `now`."""
    results = list(results)
    histories = _histories(results, now)
    latest = {probed: history[-1] for probed, history in histories.items()}

    # Each probed thing, with its latest result and its delays, goes into its groups:
    # its operator, its resolver, and the orders of its latest result (standing).
    standing: dict[tuple[str, ...], list[Result]] = defaultdict(list)
    timing: dict[tuple[str, ...], list[Delay]] = defaultdict(list)
    order_standing: dict[tuple[int, str | None], list[Result]] = defaultdict(list)
    for probed, history in histories.items():
        groups = [(probed.operator,), (probed.operator, probed.resolver)]
        found = _delays_of(probed, history, now)
        for group in groups:
            standing[group].append(latest[probed])
            timing[group] += found
        for order in set(latest[probed].orders):
            for operator in (None, probed.operator):
                order_standing[(order, operator)].append(latest[probed])

    # Per order, the delays come from that order's results only.
    by_order: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        for order in set(result.orders):
            by_order[order].append(result)
    order_timing: dict[tuple[int, str | None], list[Delay]] = defaultdict(list)
    for order, of_order in by_order.items():
        for delay in delays(of_order, now):
            for operator in (None, delay.probed.operator):
                order_timing[(order, operator)].append(delay)

    def order_measures(order: int, operator: str | None) -> Measures:
        key = (order, operator)
        return Measures(_standing(order_standing[key]), Delays.of(order_timing[key]))

    operators: dict[str, OperatorMeasures] = {}
    for operator in sorted({p.operator for p in histories}):
        resolvers = sorted(g[1] for g in standing if len(g) == 2 and g[0] == operator)
        orders = sorted(
            order for order, who in order_timing.keys() | order_standing.keys() if who == operator
        )
        operators[operator] = OperatorMeasures(
            operator,
            _standing(standing[(operator,)]),
            Delays.of(timing[(operator,)]),
            {
                resolver: Measures(
                    _standing(standing[(operator, resolver)]),
                    Delays.of(timing[(operator, resolver)]),
                )
                for resolver in resolvers
            },
            {order: order_measures(order, operator) for order in orders},
        )
    return Report(
        now, operators, {order: order_measures(order, None) for order in sorted(by_order)}
    )
