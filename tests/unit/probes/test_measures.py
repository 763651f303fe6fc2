"""What the compliance report says of an operator, computed from probe results alone.

Each round of probing asks every resolver of an operator every name in force (it must be
blocked), every name whose order ended (it must resolve again) and canary names (they
must always resolve). From these results the report shows, per operator, per resolver
and per order:

- **compliance**: of the names in force, the share blocked as the order says;
- **over-blocking**: of the names whose order ended, the share still blocked;
- **canary failures** and **errors**: a resolver that does not answer proves nothing,
  so it is neither compliant nor blocking, and the report says it failed;
- **time-to-block** and **time-to-unblock**: p50, p95 and max, where a name never seen
  blocked is *late*, counted with the time it has been waiting so far.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arret.domain.model import Action
from arret.probes.measures import (
    Delay,
    Delays,
    Distribution,
    Measures,
    Probed,
    Report,
    Standing,
    Tally,
    delays,
    measure,
    nearest_rank,
)
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose

IN_FORCE, ENDED, CANARY = Purpose.IN_FORCE, Purpose.ENDED, Purpose.CANARY
BLOCKED, NOT_BLOCKED = Kind.BLOCKED, Kind.NOT_BLOCKED
WRONG_ACTION, INCONCLUSIVE, ERROR = Kind.WRONG_ACTION, Kind.INCONCLUSIVE, Kind.ERROR

#: Order 7 takes effect at T and expires two hours later.
T = datetime(2026, 11, 30, 9, tzinfo=UTC)
END = T + timedelta(hours=2)
NAMES = ("leak.example", "mirror.example")
CANARY_NAME = "canary.example"

#: A pulls the feed with NOTIFY; B has no policy; C refreshes the feed every hour, without
#: NOTIFY; D is down.
A, B, C, D = "127.0.0.11:53", "127.0.0.12:53", "127.0.0.13:53", "127.0.0.14:53"


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def mn(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def probe(
    resolver: str,
    name: str,
    verdict: Kind,
    at: datetime,
    *,
    purpose: Purpose = IN_FORCE,
    since: datetime | None = T,
    orders: tuple[int, ...] = (7,),
    operator: str = "orange",
    target: str | None = None,
) -> Result:
    """One result, its evidence reduced to what matches the verdict."""
    if purpose is CANARY:
        since, orders = None, ()
    blocking = verdict in (BLOCKED, WRONG_ACTION)
    return Result(
        operator=operator,
        resolver=resolver,
        name=name,
        target=target or name,
        purpose=purpose,
        orders=orders,
        since=since,
        expected=Action.NXDOMAIN if purpose is IN_FORCE else None,
        verdict=verdict,
        how=(Action.NODATA if verdict is WRONG_ACTION else Action.NXDOMAIN) if blocking else None,
        at=at,
        latency=2.0 if verdict is ERROR else 0.003,
        rcode={BLOCKED: "NXDOMAIN", ERROR: "", WRONG_ACTION: "NOERROR"}.get(verdict, "NOERROR"),
    )


# -- The acceptance story: three resolvers, one order, its expiry -----------------------

#: Rounds: a burst after each publication (1, 2, 4 … 64 s), then every 15 minutes.
BURST = [s(2**k) for k in range(7)]
ROUNDS = sorted(
    {T + d for d in BURST}
    | {T + mn(15 * k) for k in range(1, 8)}
    | {END + d for d in BURST}
    | {END + mn(15 * k) for k in range(1, 16)}
)

#: When each resolver blocks: A within half a second of each publication; C at its next
#: refresh, 55 minutes later, in both directions; B never.
BLOCKING: dict[str, Callable[[datetime], bool]] = {
    A: lambda at: T + s(0.5) <= at < END + s(0.5),
    B: lambda at: False,
    C: lambda at: T + mn(55) <= at < END + mn(55),
}


def story(until: datetime, resolvers: Iterable[str] = (A, B, C)) -> list[Result]:
    out = []
    for at in (at for at in ROUNDS if at <= until):
        for resolver in resolvers:
            blocks = BLOCKING[resolver](at)
            verdict = BLOCKED if blocks else NOT_BLOCKED
            purpose, since = (IN_FORCE, T) if at < END else (ENDED, END)
            out += [probe(resolver, n, verdict, at, purpose=purpose, since=since) for n in NAMES]
            out.append(probe(resolver, CANARY_NAME, NOT_BLOCKED, at, purpose=CANARY))
    return out


def test_while_the_order_is_in_force_a_blocks_at_once_b_never_and_c_at_its_refresh() -> None:
    now = T + mn(90)
    report = measure(story(now), now)
    isp = report.operators["orange"]
    a, b, c = (isp.resolvers[r] for r in (A, B, C))

    assert a.standing.compliance == 1.0
    assert a.delays.to_block == Distribution(count=2, p50=s(1), p95=s(1), max=s(1))

    # B never blocks: compliance 0 %, and both names are late, by at least 90 minutes.
    assert b.standing.compliance == 0.0
    assert b.delays.to_block == Distribution(count=2, late=2, p50=mn(90), p95=mn(90), max=mn(90))

    # C blocks now, but was first seen blocking in the round at 60 minutes: its refresh.
    assert c.standing.compliance == 1.0
    assert c.delays.to_block == Distribution(count=2, p50=mn(60), p95=mn(60), max=mn(60))

    # The operator, all resolvers together: 4 of 6 names blocked. Its six delays, sorted:
    # 1 s, 1 s, 60 min, 60 min, 90+ min, 90+ min. p50 is the 3rd (⌈0.5·6⌉), p95 the 6th.
    assert isp.standing.compliance == 4 / 6
    assert isp.delays.to_block == Distribution(count=6, late=2, p50=mn(60), p95=mn(90), max=mn(90))
    assert isp.standing.canary_failures == 0 and isp.standing.errors == 0
    # Nothing has ended yet.
    assert isp.standing.over_blocking is None
    assert isp.delays.to_unblock == Distribution()


def test_after_expiry_a_unblocks_at_once_and_c_over_blocks_until_its_refresh() -> None:
    now = END + mn(30)
    isp = measure(story(now), now).operators["orange"]
    a, b, c = (isp.resolvers[r] for r in (A, B, C))

    # The names now count in over-blocking, no longer in compliance.
    assert isp.standing.in_force == Tally()
    assert isp.standing.compliance is None
    assert (a.standing.over_blocking, b.standing.over_blocking) == (0.0, 0.0)
    assert c.standing.over_blocking == 1.0
    assert isp.standing.over_blocking == 2 / 6

    assert a.delays.to_unblock == Distribution(count=2, p50=s(1), p95=s(1), max=s(1))
    assert b.delays.to_unblock == Distribution(count=2, p50=s(1), p95=s(1), max=s(1))
    assert c.delays.to_unblock == Distribution(count=2, late=2, p50=mn(30), p95=mn(30), max=mn(30))

    # Time-to-block is history: it stays, and B's names are later still.
    assert a.delays.to_block.max == s(1)
    assert c.delays.to_block.max == mn(60)
    assert b.delays.to_block == Distribution(count=2, late=2, p50=now - T, p95=now - T, max=now - T)


def test_once_c_refreshes_it_unblocks_and_over_blocking_is_over() -> None:
    now = END + mn(120)
    c = measure(story(now), now).operators["orange"].resolvers[C]
    assert c.standing.over_blocking == 0.0
    assert c.delays.to_unblock == Distribution(count=2, p50=mn(60), p95=mn(60), max=mn(60))


def test_the_same_story_told_per_order_and_across_operators() -> None:
    now = T + mn(90)
    report = measure(story(now), now)
    isp = report.operators["orange"]
    # Every name is order 7's: its delays are the operator's; the canaries belong to no
    # order, so they are not in the order's standing.
    assert isp.orders[7].delays == isp.delays
    assert isp.orders[7].standing == replace(isp.standing, canary=Tally())
    assert report.orders[7] == isp.orders[7]  # one operator only


def test_three_operators_one_resolver_each() -> None:
    now = T + mn(90)
    results = [
        replace(r, operator={A: "orange", B: "free", C: "sfr"}[r.resolver]) for r in story(now)
    ]
    report = measure(results, now)
    assert [op.standing.compliance for op in report.operators.values()] == [0.0, 1.0, 1.0]
    assert list(report.operators) == ["free", "orange", "sfr"]
    # Across operators, order 7's delays are the six of the single-operator story.
    assert report.orders[7].delays.to_block == Distribution(
        count=6, late=2, p50=mn(60), p95=mn(90), max=mn(90)
    )
    assert report.operators["sfr"].orders[7].delays.to_block.max == mn(60)


# -- A resolver that is down ------------------------------------------------------------


def dead(until: datetime, resolver: str = D) -> list[Result]:
    """Every question to D times out."""
    out = []
    for at in (at for at in ROUNDS if at <= until):
        purpose, since = (IN_FORCE, T) if at < END else (ENDED, END)
        out += [probe(resolver, n, ERROR, at, purpose=purpose, since=since) for n in NAMES]
        out.append(probe(resolver, CANARY_NAME, ERROR, at, purpose=CANARY))
    return out


def test_a_dead_resolver_is_neither_compliant_nor_blocking_and_its_errors_show() -> None:
    now = T + mn(90)
    d = measure(dead(now), now).operators["orange"].resolvers[D].standing
    assert d.compliance is None  # not 0 %, not 100 %: no evidence
    assert d.in_force == Tally(error=2)
    assert (d.errors, d.total, d.error_share) == (3, 3, 1.0)
    assert d.canary_failures == 1  # the canary says the resolver is broken

    later = END + mn(30)
    d = measure(dead(later), later).operators["orange"].resolvers[D].standing
    assert d.over_blocking is None  # not "still blocking"
    assert d.ended == Tally(error=2)


def test_a_dead_resolvers_delays_are_unknown_not_late() -> None:
    now = END + mn(30)
    d = measure(dead(now), now).operators["orange"].resolvers[D].delays
    assert d == Delays(Distribution(unknown=2), Distribution(unknown=2))


def test_a_dead_resolver_does_not_dilute_its_operators_compliance() -> None:
    now = T + mn(90)
    isp = measure(story(now, [A]) + dead(now), now).operators["orange"]
    assert isp.standing.compliance == 1.0
    assert isp.standing.in_force == Tally(blocked=2, error=2)
    assert isp.standing.error_share == 3 / 6
    assert isp.standing.canary_failures == 1
    assert isp.delays.to_block == Distribution(count=2, unknown=2, p50=s(1), p95=s(1), max=s(1))


def test_a_resolver_back_from_the_dead_is_measured_from_its_first_block() -> None:
    results = [
        probe(D, "leak.example", ERROR, T + s(1)),
        probe(D, "leak.example", ERROR, T + mn(15)),
        probe(D, "leak.example", BLOCKED, T + mn(30)),
    ]
    assert delays(results, T + mn(45)) == [
        Delay(Probed("orange", D, "leak.example"), IN_FORCE, T, mn(30))
    ]


# -- What the shares count --------------------------------------------------------------


def test_inconclusive_and_error_are_outside_the_shares_and_counted_apart() -> None:
    at = T + s(10)
    results = [
        probe(A, "blocked.example", BLOCKED, at),
        probe(A, "open.example", NOT_BLOCKED, at),
        probe(A, "nodata.example", WRONG_ACTION, at),
        # The resolver and the control both say NXDOMAIN: the name may just not exist.
        probe(A, "absent.example", INCONCLUSIVE, at),
        probe(A, "timeout.example", ERROR, at),
    ]
    standing = measure(results, at).operators["orange"].standing
    assert standing.in_force == Tally(1, 1, 1, 1, 1)
    # 1 blocked of 3 conclusive: the wrong action counts against, and is shown apart.
    assert standing.compliance == 1 / 3
    assert standing.wrong_action == 1
    assert (standing.errors, standing.error_share) == (1, 1 / 5)


def test_over_blocking_counts_any_blocking_answer() -> None:
    at = END + s(10)
    results = [
        probe(A, n, v, at, purpose=ENDED, since=END)
        for n, v in [("a.example", BLOCKED), ("b.example", WRONG_ACTION), ("c.example", ERROR)]
        + [(f"{i}.example", NOT_BLOCKED) for i in range(2)]
    ]
    standing = measure(results, at).operators["orange"].standing
    assert standing.over_blocking == 2 / 4


def test_canary_failures_are_canaries_blocked_or_unanswered() -> None:
    at = T + s(10)
    results = [
        probe(A, "ok.example", NOT_BLOCKED, at, purpose=CANARY),
        probe(A, "blocked.example", BLOCKED, at, purpose=CANARY),
        probe(A, "timeout.example", ERROR, at, purpose=CANARY),
    ]
    standing = measure(results, at).operators["orange"].standing
    assert standing.canary_failures == 2
    assert standing.compliance is None and standing.over_blocking is None


def test_shares_are_none_when_nothing_was_probed() -> None:
    assert Standing() == Standing(Tally(), Tally(), Tally())
    assert (Standing().compliance, Standing().over_blocking, Standing().error_share) == (
        None,
        None,
        None,
    )
    assert measure([], T) == Report(T, {}, {})


# -- Which result counts, and from when -------------------------------------------------


def test_the_latest_result_counts_whatever_order_the_results_come_in() -> None:
    results = [
        probe(A, "leak.example", BLOCKED, T + mn(30)),
        probe(A, "leak.example", NOT_BLOCKED, T + s(1)),
        probe(A, "leak.example", NOT_BLOCKED, T + mn(15)),
    ]
    now = T + mn(40)
    for arrangement in (results, results[::-1], sorted(results, key=lambda r: r.verdict)):
        isp = measure(arrangement, now).operators["orange"]
        assert isp.standing.compliance == 1.0
        assert isp.delays.to_block.max == mn(30)


def test_observations_before_the_order_took_effect_are_ignored() -> None:
    results = [
        # Blocked before the order: some earlier order, or a list of the ISP's own.
        probe(A, "leak.example", BLOCKED, T - s(10)),
        probe(A, "leak.example", NOT_BLOCKED, T + s(1)),
        probe(A, "leak.example", BLOCKED, T + s(30)),
    ]
    assert [d.value for d in delays(results, T + mn(1))] == [s(30)]


def test_an_observation_at_the_effective_instant_counts() -> None:
    assert [d.value for d in delays([probe(A, "leak.example", BLOCKED, T)], T)] == [s(0)]


def test_only_observations_before_the_order_leave_the_delay_unknown() -> None:
    [delay] = delays([probe(A, "leak.example", NOT_BLOCKED, T - s(1))], T + mn(5))
    assert (delay.value, delay.late) == (None, False)


def test_time_to_block_counts_from_the_earliest_effective_instant() -> None:
    """Order 3 blocked the name from T; it ended at T + 1 h, and order 4, effective since
    T + 30 min, keeps the name blocked: the results now say `since` T + 30 min. The name
    was late from T."""
    results = [
        probe(A, "leak.example", NOT_BLOCKED, T + s(1), orders=(3, 4)),
        probe(A, "leak.example", NOT_BLOCKED, T + mn(61), orders=(4,), since=T + mn(30)),
        probe(A, "leak.example", BLOCKED, T + mn(75), orders=(4,), since=T + mn(30)),
    ]
    assert [d.value for d in delays(results, T + mn(80))] == [mn(75)]
    # A result records one effective instant, the earliest of its orders': for order 4
    # too, the name counts from T.
    assert [d.value for d in delays(results, T + mn(80), order=4)] == [mn(75)]
    # Order 3 alone: its results only, none blocked, so late.
    assert [(d.value, d.late) for d in delays(results, T + mn(80), order=3)] == [(mn(80), True)]


def test_a_wrong_action_does_not_end_the_wait() -> None:
    results = [
        probe(A, "leak.example", WRONG_ACTION, T + s(1)),
        probe(A, "leak.example", BLOCKED, T + mn(15)),
    ]
    assert [d.value for d in delays(results, T + mn(20))] == [mn(15)]


def test_a_late_name_waits_from_its_effective_instant_to_now() -> None:
    results = [probe(B, "leak.example", NOT_BLOCKED, T + s(1))]
    [delay] = delays(results, T + timedelta(days=3))
    assert (delay.value, delay.late) == (timedelta(days=3), True)


def test_generated_names_below_a_subtree_are_one_probed_thing() -> None:
    """Each round asks a fresh name below site.example: they are one series, whose latest
    result is the one that counts."""
    results = [
        probe(A, "site.example", NOT_BLOCKED, T + s(1)),
        probe(A, "arret-0a1b2c3d.site.example", NOT_BLOCKED, T + s(1), target="site.example"),
        probe(A, "site.example", BLOCKED, T + s(2)),
        probe(A, "arret-4e5f6a7b.site.example", BLOCKED, T + s(2), target="site.example"),
    ]
    isp = measure(results, T + s(5)).operators["orange"]
    assert isp.standing.in_force == Tally(blocked=2)
    assert [(d.probed, d.value) for d in delays(results, T + s(5))] == [
        (Probed("orange", A, "site.example"), s(2)),
        (Probed("orange", A, "site.example", below=True), s(2)),
    ]


def test_results_without_an_effective_instant_count_in_the_standing_only() -> None:
    results = [
        probe(A, "leak.example", BLOCKED, T, since=None),
        probe(A, CANARY_NAME, NOT_BLOCKED, T, purpose=CANARY),
    ]
    isp = measure(results, T).operators["orange"]
    assert isp.standing.in_force == Tally(blocked=1)
    assert isp.delays == Delays()


def test_results_from_after_now_are_refused() -> None:
    with pytest.raises(ValueError, match="1 result"):
        measure([probe(A, "leak.example", BLOCKED, T + s(1))], T)


# -- Per order --------------------------------------------------------------------------


def test_a_name_blocked_by_two_orders_counts_in_both() -> None:
    results = [
        probe(A, "both.example", BLOCKED, T + s(4), orders=(7, 8)),
        probe(A, "eight.example", BLOCKED, T + s(8), orders=(8,)),
    ]
    report = measure(results, T + s(10))
    assert report.orders[7].delays.to_block == Distribution(count=1, p50=s(4), p95=s(4), max=s(4))
    assert report.orders[8].delays.to_block == Distribution(count=2, p50=s(4), p95=s(8), max=s(8))
    assert report.orders[8].standing.in_force == Tally(blocked=2)


def test_an_orders_standing_is_over_the_names_it_governs_now() -> None:
    """Order 8 ended; order 7 still blocks the name: it is order 7's alone now."""
    results = [
        probe(A, "leak.example", NOT_BLOCKED, T + s(1), orders=(7, 8)),
        probe(A, "leak.example", BLOCKED, T + mn(15), orders=(7, 8)),
        probe(A, "leak.example", BLOCKED, END + s(1), orders=(7,)),
        probe(A, "gone.example", BLOCKED, END + s(1), orders=(8,), purpose=ENDED, since=END),
    ]
    report = measure(results, END + s(5))
    assert report.orders[7].standing.in_force == Tally(blocked=1)
    assert report.orders[8].standing == Standing(ended=Tally(blocked=1))
    assert report.orders[8].standing.over_blocking == 1.0
    # Its time-to-block, though, was order 8's too.
    assert report.orders[8].delays.to_block.max == mn(15)
    assert report.operators["orange"].orders.keys() == {7, 8}


# -- Percentiles by nearest rank --------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "expected"),
    # The n values sorted; the p-th percentile is the ⌈p·n/100⌉-th: with 5 values, the
    # 30th is the ⌈1.5⌉ = 2nd, the 50th the ⌈2.5⌉ = 3rd.
    [(5, 15), (30, 20), (40, 20), (50, 35), (95, 50), (100, 50)],
)
def test_nearest_rank_by_hand(percent: int, expected: int) -> None:
    values = [s(v) for v in (35, 20, 15, 50, 40)]
    assert nearest_rank(values, percent) == s(expected)


def test_p95_of_twenty_values_is_the_nineteenth() -> None:
    values = [s(v) for v in range(1, 21)]
    assert (nearest_rank(values, 50), nearest_rank(values, 95)) == (s(10), s(19))
    # With ten, it is the tenth: the maximum.
    assert nearest_rank(values[:10], 95) == s(10)


def test_nearest_rank_is_refused_for_no_values_or_a_percent_out_of_range() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 50)
    for percent in (0, 101):
        with pytest.raises(ValueError, match="percentile"):
            nearest_rank([s(1)], percent)


def test_a_distribution_counts_late_delays_with_their_lower_bound() -> None:
    thing = Probed("orange", A, "leak.example")
    found = [
        Delay(thing, IN_FORCE, T, s(3)),
        Delay(thing, IN_FORCE, T, s(1)),
        Delay(thing, IN_FORCE, T, mn(10), late=True),
        Delay(thing, IN_FORCE, T, None),
    ]
    assert Distribution.of(found) == Distribution(
        count=3, late=1, unknown=1, p50=s(3), p95=mn(10), max=mn(10)
    )


# -- Properties -------------------------------------------------------------------------

OPERATORS = ("free", "orange")
RESOLVERS = (A, B, C)
TARGETS = ("leak.example", "mirror.example")
HORIZON = 3600


@st.composite
def results_st(draw: st.DrawFn, resolvers: tuple[str, ...] = RESOLVERS) -> Result:
    target = draw(st.sampled_from(TARGETS))
    below = draw(st.booleans())
    name = f"arret-{draw(st.integers(0, 3))}.{target}" if below else target
    return probe(
        draw(st.sampled_from(resolvers)),
        name,
        draw(st.sampled_from(Kind)),
        T + s(draw(st.integers(0, HORIZON))),
        purpose=draw(st.sampled_from(Purpose)),
        since=T + s(draw(st.integers(0, HORIZON // 2))),
        orders=tuple(draw(st.lists(st.sampled_from((1, 2, 3)), max_size=2, unique=True))),
        operator=draw(st.sampled_from(OPERATORS)),
        target=target,
    )


histories = st.lists(results_st(), max_size=40)
NOW = T + s(HORIZON + 60)


def all_measures(report: Report) -> list[Measures]:
    out = list(report.orders.values())
    for op in report.operators.values():
        out += [Measures(op.standing, op.delays), *op.resolvers.values(), *op.orders.values()]
    return out


@settings(deadline=None)
@given(histories, st.randoms(use_true_random=False))
def test_the_order_of_the_results_does_not_matter(
    results: list[Result], rng: random.Random
) -> None:
    shuffled = list(results)
    rng.shuffle(shuffled)
    assert measure(shuffled, NOW) == measure(results, NOW)


@settings(deadline=None)
@given(histories)
def test_an_operator_is_the_sum_of_its_resolvers(results: list[Result]) -> None:
    for op in measure(results, NOW).operators.values():
        parts = list(op.resolvers.values())
        assert op.standing == sum((m.standing for m in parts), Standing())
        for field in ("to_block", "to_unblock"):
            whole = getattr(op.delays, field)
            for count in ("count", "late", "unknown"):
                assert getattr(whole, count) == sum(
                    getattr(getattr(m.delays, field), count) for m in parts
                )
            maxima = [getattr(m.delays, field).max for m in parts]
            assert whole.max == max((m for m in maxima if m is not None), default=None)


@settings(deadline=None)
@given(histories)
def test_every_figure_is_in_range(results: list[Result]) -> None:
    for m in all_measures(measure(results, NOW)):
        for share in (m.standing.compliance, m.standing.over_blocking, m.standing.error_share):
            assert share is None or 0 <= share <= 1
        for d in (m.delays.to_block, m.delays.to_unblock):
            assert d.late <= d.count
            if d.count == 0:
                assert (d.p50, d.p95, d.max) == (None, None, None)
            else:
                assert d.p50 is not None and d.p95 is not None and d.max is not None
                assert timedelta(0) <= d.p50 <= d.p95 <= d.max <= NOW - T


@settings(deadline=None)
@given(histories)
def test_the_standing_counts_each_probed_thing_once(results: list[Result]) -> None:
    report = measure(results, NOW)
    things = {Probed.of(r) for r in results}
    assert sum(op.standing.total for op in report.operators.values()) == len(things)


@settings(deadline=None)
@given(histories)
def test_the_report_agrees_with_the_list_of_delays(results: list[Result]) -> None:
    report = measure(results, NOW)
    for name, op in report.operators.items():
        assert op.delays == Delays.of(d for d in delays(results, NOW) if d.probed.operator == name)
    for order, m in report.orders.items():
        assert m.delays == Delays.of(delays(results, NOW, order=order))


@settings(deadline=None)
@given(histories, st.lists(results_st(resolvers=(D,)), min_size=1, max_size=10))
def test_a_dead_resolver_changes_no_share_and_no_other_resolver(
    results: list[Result], down: list[Result]
) -> None:
    down = [replace(r, verdict=ERROR, how=None) for r in down]
    before, after = measure(results, NOW), measure(results + down, NOW)
    for name, op in after.operators.items():
        if D not in op.resolvers:
            assert op == before.operators[name]
            continue
        d = op.resolvers[D]
        assert d.standing.errors == d.standing.total
        assert d.delays == Delays(
            Distribution(unknown=d.delays.to_block.unknown),
            Distribution(unknown=d.delays.to_unblock.unknown),
        )
        if name not in before.operators:
            continue
        was = before.operators[name]
        assert {r: m for r, m in op.resolvers.items() if r != D} == was.resolvers
        assert op.standing.compliance == was.standing.compliance
        assert op.standing.over_blocking == was.standing.over_blocking


@settings(deadline=None)
@given(histories, st.lists(st.tuples(st.integers(0, 39), st.integers(1, 600)), max_size=10))
def test_observations_before_every_effective_instant_change_no_delay(
    results: list[Result], stale: list[tuple[int, int]]
) -> None:
    """Every `since` is at T or after: observations before T, whatever they say, predate
    the orders and do not move any delay."""
    extra = [
        replace(results[i % len(results)], at=T - s(ago), verdict=kind)
        for (i, ago), kind in zip(stale, [BLOCKED, NOT_BLOCKED] * 5, strict=False)
        if results
    ]
    assert delays(results + extra, NOW) == delays(results, NOW)


@settings(deadline=None)
@given(histories, st.integers(1, 10**6))
def test_only_late_delays_grow_with_time(results: list[Result], wait: int) -> None:
    later = NOW + s(wait)
    for now, then in zip(delays(results, NOW), delays(results, later), strict=True):
        if now.late:
            assert now.value is not None and then.value == now.value + s(wait)
        else:
            assert then == now


@settings(deadline=None)
@given(histories)
def test_when_one_order_covers_everything_it_measures_like_its_operators(
    results: list[Result],
) -> None:
    results = [r if r.purpose is CANARY else replace(r, orders=(9,)) for r in results]
    report = measure(results, NOW)
    for op in report.operators.values():
        if 9 in op.orders:
            assert op.orders[9].delays == op.delays
            assert op.orders[9].standing == replace(op.standing, canary=Tally())
