"""The auditor's chart: shares per bucket of time, computed from conclusive answers only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arret.probes.records import Result
from arret.probes.series import over_time, polyline
from arret.probes.verdict import Kind, Purpose

T = datetime(2026, 11, 29, 12, tzinfo=UTC)


def result(at: float, purpose: Purpose, verdict: Kind) -> Result:
    return Result("isp", "127.0.0.1:53", "x.example", "x.example", purpose, (1,), T, None,
                  verdict, None, T + timedelta(seconds=at), 0.01, "NOERROR")  # fmt: skip


def test_each_bucket_counts_its_conclusive_answers() -> None:
    results = [
        result(1, Purpose.IN_FORCE, Kind.NOT_BLOCKED),
        result(2, Purpose.IN_FORCE, Kind.ERROR),  # proves nothing
        result(61, Purpose.IN_FORCE, Kind.BLOCKED),
        result(62, Purpose.IN_FORCE, Kind.WRONG_ACTION),  # blocked, but not as ordered
        result(63, Purpose.ENDED, Kind.BLOCKED),  # over-blocking
        result(64, Purpose.ENDED, Kind.NOT_BLOCKED),
        result(65, Purpose.IN_FORCE, Kind.INCONCLUSIVE),
    ]
    points = over_time(results, timedelta(minutes=1))
    assert [(p.at, p.compliance, p.over_blocking, p.answers, p.errors) for p in points] == [
        (T, 0.0, None, 2, 1),
        (T + timedelta(minutes=1), 0.5, 0.5, 5, 0),
    ]
    assert polyline(points, "compliance", 100, 50) == "0.0,50.0 100.0,25.0"
    assert polyline(points, "over_blocking", 100, 50) == "0.0,25.0"
    assert over_time([], timedelta(minutes=1)) == [] and polyline([], "compliance", 1, 1) == ""
