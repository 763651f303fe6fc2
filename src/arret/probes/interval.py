"""Confidence intervals for the shares probing reports (compliance, over-blocking): a
share measured on a sample of names says little without how far the whole may be from
it. Pure: counts in, bounds out.

The Wilson score interval (Wilson 1927; Newcombe 1998, method 3) inverts the normal
test of a proportion instead of centring a normal on the observed share: it stays
within [0, 1], gives a non-empty interval for 0 of n and n of n, and keeps close to
its nominal coverage for small n, where the textbook "p ± z·√(p(1-p)/n)" does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The two-sided 95 % normal quantile, Φ⁻¹(0.975).
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    #: The observed share, successes / trials.
    share: float
    low: float
    high: float
    successes: int
    trials: int


def wilson(successes: int, trials: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of `successes` out of `trials` (None for no trial)."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    if trials == 0:
        return None
    n, p = trials, successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Exact at the ends: 0 of n has a lower bound of 0, n of n an upper bound of 1.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(p, low, high, successes, trials)
