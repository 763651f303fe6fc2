"""Time as orders state it: ISO 8601 instants in UTC and calendar durations."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.domain.instants import (
    Duration,
    add_months,
    format_instant,
    format_second,
    parse_date,
    parse_duration,
    parse_instant,
    parse_offset,
)
from arret.errors import InvalidTime


def test_eighteen_months_from_august_31st_clamps_to_february_28th() -> None:
    start = parse_instant("2021-08-31T09:15:00Z")
    assert parse_duration("18mo").after(start) == datetime(2023, 2, 28, 9, 15, tzinfo=UTC)


def test_clamping_in_a_leap_year() -> None:
    assert add_months(datetime(2023, 8, 31, tzinfo=UTC), 6) == datetime(2024, 2, 29, tzinfo=UTC)


def test_days_are_exactly_24_hours() -> None:
    start = parse_instant("2021-03-04")
    assert parse_duration("90d").after(start) - start == timedelta(hours=90 * 24)


def test_compound_durations() -> None:
    assert parse_duration("1y6mo") == Duration(18)
    assert parse_duration("2h30min") == Duration(0, timedelta(hours=2, minutes=30))
    assert parse_duration("1w") == Duration(0, timedelta(days=7))


@pytest.mark.parametrize("text", ["", "18", "18m", "mo", "-3d", "0d", "3 days", "1.5y", "P18M"])
def test_bad_durations_are_refused_with_the_input_named(text: str) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


def test_ambiguous_m_suggests_mo_or_min() -> None:
    with pytest.raises(InvalidTime, match="'mo' for months"):
        parse_duration("18m")


def test_instants_are_utc_whatever_the_offset_written() -> None:
    assert parse_instant("2021-03-04T10:00:00+01:00") == datetime(2021, 3, 4, 9, tzinfo=UTC)
    assert parse_instant("2021-03-04T10:00:00Z") == datetime(2021, 3, 4, 10, tzinfo=UTC)
    assert parse_instant("2021-03-04T10:00") == datetime(2021, 3, 4, 10, tzinfo=UTC)
    assert parse_instant("2021-03-04") == datetime(2021, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "04/03/2021", "2021-02-30", "2021-03-04T25:00"])
def test_bad_instants_are_refused(text: str) -> None:
    with pytest.raises(InvalidTime):
        parse_instant(text)


def test_decision_dates() -> None:
    assert parse_date("2021-03-04").isoformat() == "2021-03-04"
    with pytest.raises(InvalidTime, match="2021-13-01"):
        parse_date("2021-13-01")


def test_format_is_iso_utc_with_z() -> None:
    assert format_instant(datetime(2021, 3, 4, tzinfo=UTC)) == "2021-03-04T00:00:00Z"
    assert format_instant(datetime(2021, 3, 4, 0, 0, 0, 5, tzinfo=UTC)) == (
        "2021-03-04T00:00:00.000005Z"
    )


def test_format_to_the_second_drops_the_fraction_for_people() -> None:
    """What a person reads (the demo's instants, a page's `<time>`): the fraction of a
    second dropped, the offset folded into UTC; `format_instant` keeps it exact."""
    at = datetime(2026, 12, 7, 0, 27, 58, 190277, tzinfo=UTC)
    assert format_second(at) == "2026-12-07T00:27:58Z"
    assert format_instant(at) == "2026-12-07T00:27:58.190277Z"
    paris = timezone(timedelta(hours=1))
    assert format_second(datetime(2021, 3, 4, 1, 0, 0, 999999, tzinfo=paris)) == (
        "2021-03-04T00:00:00Z"
    )


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1)))
def test_format_then_parse_is_the_same_instant(naive: datetime) -> None:
    instant = naive.replace(tzinfo=UTC)
    assert parse_instant(format_instant(instant)) == instant


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1)),
    st.integers(min_value=0, max_value=240),
)
def test_adding_months_never_overflows_into_the_next_month(naive: datetime, months: int) -> None:
    start = naive.replace(tzinfo=UTC)
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day <= start.day
    assert end.time() == start.time()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+5min", timedelta(minutes=5)),
        ("5min", timedelta(minutes=5)),
        ("-2h", timedelta(hours=-2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("300", timedelta(seconds=300)),
        ("-90.5", timedelta(seconds=-90.5)),
        (" +1w ", timedelta(weeks=1)),
        ("0", timedelta(0)),
    ],
)
def test_a_clock_offset_is_signed_and_exact(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1mo", "no fixed length"),
        ("-1y", "no fixed length"),
        ("5m", "not a clock offset"),
        ("", "not a clock offset"),
        ("+", "not a clock offset"),
        ("--5", "not a clock offset"),
        ("1e5", "not a clock offset"),
        ("soon", "not a clock offset"),
        ("3661d", "more than 3660 days"),
        ("-99999999999999999999", "more than 3660 days"),
        ("999999999999999999d", "more than 3660 days"),
    ],
)
def test_a_bad_clock_offset_says_what_to_write(text: str, reason: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_offset(text)
    assert reason in str(raised.value)
    assert repr(text) in str(raised.value)
