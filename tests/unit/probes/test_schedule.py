"""When `arret serve` probes: on its schedule, and in a burst after each publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arret.probes.schedule import next_round

T = datetime(2026, 11, 29, 12, tzinfo=UTC)
EVERY = timedelta(minutes=15)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_the_first_round_is_at_once_then_on_the_schedule() -> None:
    assert next_round(T, None, None, EVERY) == T
    assert next_round(T + s(10), T, None, EVERY) == T + EVERY


def test_a_publication_starts_a_burst_at_1_2_4_to_64_seconds() -> None:
    published = T + s(100)
    last = T
    seen = []
    for _ in range(8):
        at = next_round(published, last, published, EVERY)
        seen.append((at - published).total_seconds())
        last = at
    # Then the schedule again, counted from the last round.
    assert seen == [1, 2, 4, 8, 16, 32, 64, 64 + EVERY.total_seconds()]


def test_a_round_is_never_further_apart_than_the_period() -> None:
    """The period counts from the last round, burst rounds included."""
    published = T + EVERY - s(3)  # 3 s before the scheduled round
    at = next_round(published, T, published, EVERY)
    assert at == published + s(1)
    assert next_round(at, at, published, EVERY) == published + s(2)
    late = published + s(100)  # rounds were missed (a slow round): the next burst step
    assert next_round(late, published + s(2), published, EVERY) == published + s(4)
    assert next_round(T + s(5), T, None, EVERY) == T + EVERY
