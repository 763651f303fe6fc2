"""When `arret serve` probes: on a fixed schedule, and in a burst after every publication
— at 1, 2, 4 … 64 s after it —, so that time-to-block is measured to within a factor of
two of itself rather than to within the schedule's period. Pure: given the instant of
the last publication and of the last round, it says when the next round is due."""

from __future__ import annotations

from datetime import datetime, timedelta

#: Offsets of the burst after a publication.
BURST = tuple(timedelta(seconds=2**k) for k in range(7))


def next_round(
    now: datetime,
    last_round: datetime | None,
    published: datetime | None,
    every: timedelta,
) -> datetime:
    """The instant of the next probing round: the next step of the burst after the last
    publication, or `every` after the last round (at once when that lies in the past)."""
    scheduled = now if last_round is None else last_round + every
    if published is not None:
        for offset in BURST:
            at = published + offset
            if (last_round is None or at > last_round) and at < scheduled:
                return at
    return scheduled
