"""Compliance and over-blocking over time, for the auditor's chart: the results cut into
buckets of time, each bucket's share of conclusive in-force answers that blocked and of
conclusive ended answers that still blocked. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose

CONCLUSIVE = {Kind.BLOCKED, Kind.NOT_BLOCKED, Kind.WRONG_ACTION}
BLOCKING = {Kind.BLOCKED, Kind.WRONG_ACTION}


@dataclass(frozen=True)
class Point:
    at: datetime
    #: Share of conclusive in-force answers that blocked as ordered; None without any.
    compliance: float | None
    #: Share of conclusive answers for ended names that still blocked; None without any.
    over_blocking: float | None
    answers: int
    errors: int


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def over_time(results: Sequence[Result], bucket: timedelta) -> list[Point]:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    groups: dict[datetime, list[Result]] = {}
    for r in results:
        start = epoch + bucket * ((r.at - epoch) // bucket)
        groups.setdefault(start, []).append(r)
    points = []
    for start in sorted(groups):
        group = groups[start]
        live = [r for r in group if r.purpose is Purpose.IN_FORCE and r.verdict in CONCLUSIVE]
        ended = [r for r in group if r.purpose is Purpose.ENDED and r.verdict in CONCLUSIVE]
        points.append(
            Point(
                start,
                _share(sum(r.verdict is Kind.BLOCKED for r in live), len(live)),
                _share(sum(r.verdict in BLOCKING for r in ended), len(ended)),
                len(group),
                sum(r.verdict is Kind.ERROR for r in group),
            )
        )
    return points


def polyline(points: Sequence[Point], field: str, width: int, height: int) -> str:
    """SVG polyline coordinates of one share over time (0 at the bottom, 1 at the top)."""
    shown = [(p.at, getattr(p, field)) for p in points if getattr(p, field) is not None]
    if not shown:
        return ""
    first, last = shown[0][0], shown[-1][0]
    span = (last - first).total_seconds() or 1.0
    return " ".join(
        f"{(at - first).total_seconds() / span * width:.1f},{(1 - value) * height:.1f}"
        for at, value in shown
    )
