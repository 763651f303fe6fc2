"""The Wilson score interval against published values: Newcombe (1998), "Two-sided
confidence intervals for the single proportion", Statistics in Medicine 17, table I,
method 3 (score interval without continuity correction), to four decimals."""

from __future__ import annotations

import pytest

from arret.probes.interval import wilson


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_newcombes_examples(successes: int, trials: int, low: float, high: float) -> None:
    interval = wilson(successes, trials)
    assert interval is not None
    assert round(interval.low, 4) == low and round(interval.high, 4) == high
    assert interval.share == successes / trials


def test_symmetry_ends_and_bad_counts() -> None:
    a, b = wilson(3, 17), wilson(14, 17)
    assert a is not None and b is not None
    assert a.low == pytest.approx(1 - b.high) and a.high == pytest.approx(1 - b.low)
    full = wilson(20, 20)
    assert full is not None and full.high == 1.0 and round(full.low, 4) == 0.8389
    assert wilson(0, 0) is None
    # More names give a narrower interval around the same share.
    small, large = wilson(9, 10), wilson(900_000, 1_000_000)
    assert small is not None and large is not None
    assert large.high - large.low < 0.002 < small.high - small.low
    for bad in ((-1, 3), (4, 3), (0, -1)):
        with pytest.raises(ValueError):
            wilson(*bad)
