"""The latest round's pace, told from the instants alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arret.probes.rounds import latest_round

T = datetime(2026, 12, 6, 12, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def test_the_latest_round_is_the_last_run_without_a_pause() -> None:
    first = [T + i * MS for i in range(100)]
    second = [T + timedelta(minutes=15) + i * 2 * MS for i in range(501)]
    pace = latest_round(second[::-1] + first)  # any order
    assert pace is not None and pace.questions == 501 and pace.span == 1000 * MS
    assert pace.rate == 501.0
    assert pace.seconds_for(1_002_000) == 2000.0
    # A pause shorter than the gap (a retry's timeout) stays within the round.
    pace = latest_round([T, T + timedelta(seconds=2), T + timedelta(seconds=4)])
    assert pace is not None and pace.questions == 3


def test_too_little_to_tell() -> None:
    assert latest_round([]) is None
    single = latest_round([T])
    assert single is not None and single.rate is None and single.seconds_for(10) is None
    same = latest_round([T, T])
    assert same is not None and same.rate is None
