"""How fast the latest probing round went, from the instants its results were asked at:
what `arret report` needs to say how long a full round would take. Pure.

Results carry no round number; a round is told from the next by a pause: the latest
round is the last run of instants in which no two consecutive ones are more than `gap`
apart (a round's questions go out one after the other, milliseconds apart, while rounds
are minutes apart)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Longer than any pause within a round (a retry waits the timeout, seconds).
GAP = timedelta(seconds=60)


@dataclass(frozen=True)
class Pace:
    #: Questions in the latest round, and the time from its first to its last.
    questions: int
    span: timedelta

    @property
    def rate(self) -> float | None:
        """Questions per second; None when the round is too short to tell."""
        seconds = self.span.total_seconds()
        return self.questions / seconds if seconds > 0 and self.questions > 1 else None

    def seconds_for(self, questions: int) -> float | None:
        """How long `questions` would take at this rate."""
        rate = self.rate
        return None if rate is None else questions / rate


def latest_round(instants: Iterable[datetime], gap: timedelta = GAP) -> Pace | None:
    """The pace of the latest round among `instants` (in any order); None if empty."""
    ordered = sorted(instants)
    if not ordered:
        return None
    start = len(ordered) - 1
    while start > 0 and ordered[start] - ordered[start - 1] <= gap:
        start -= 1
    return Pace(len(ordered) - start, ordered[-1] - ordered[start])
