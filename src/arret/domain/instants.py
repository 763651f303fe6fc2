"""Instants, dates and durations, exactly as orders state them.

Every instant Arrêt handles is an aware `datetime` in UTC. Input written without an
offset is read as UTC (instants are stored and shown in UTC); a date alone means its
midnight, UTC. Durations are calendar arithmetic in UTC: months and years move the
calendar and clamp to the month's last day (`18mo` from 2021-08-31 is 2023-02-28,
time of day kept); weeks, days, hours, minutes and seconds are exact multiples of
24 h, 1 h, 60 s and 1 s. There is no daylight-saving time in UTC, so a day is always
24 h.

Nothing here reads the clock: "now" comes from a `Clock` passed in by the caller.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from arret.errors import InvalidTime


class Clock(Protocol):
    """The one source of "now". Tests pass a `FixedClock` to travel in time."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class OffsetClock:
    """The system's clock moved by a fixed `offset`: for tests and demos that must see
    a running server minutes (or days) ahead of now, never for a registry in service."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class FixedClock:
    """A clock that stays where it is put; `advance` moves it."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


def utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Read an ISO 8601 date or date-time; a bare date is its midnight UTC."""
    raw = text.strip()
    if not raw:
        raise InvalidTime("an empty date; give an ISO 8601 date or date-time, e.g. 2021-03-04")
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC)
        return utc(datetime.fromisoformat(raw))
    except ValueError:
        raise InvalidTime(
            f"{text!r} is not an ISO 8601 date or date-time; "
            "write e.g. 2021-03-04 or 2021-03-04T10:30:00Z"
        ) from None


def parse_date(text: str) -> date:
    """Read an ISO 8601 calendar date (a decision is dated by day)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidTime(f"{text!r} is not an ISO 8601 date; write e.g. 2021-03-04") from None


def format_instant(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, seconds always shown, microseconds only when set."""
    v = utc(value)
    spec = "microseconds" if v.microsecond else "seconds"
    return v.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def format_second(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second (a fraction of it dropped): for people
    to read, never to be read back as the instant (`format_instant` keeps it exact)."""
    return utc(value).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class Duration:
    """A calendar duration: whole months, plus an exact length of time."""

    months: int = 0
    exact: timedelta = timedelta(0)

    def after(self, start: datetime) -> datetime:
        return add_months(start, self.months) + self.exact

    def is_zero(self) -> bool:
        return self.months == 0 and self.exact == timedelta(0)


_UNITS: dict[str, tuple[int, timedelta]] = {
    "y": (12, timedelta(0)),
    "mo": (1, timedelta(0)),
    "w": (0, timedelta(weeks=1)),
    "d": (0, timedelta(days=1)),
    "h": (0, timedelta(hours=1)),
    "min": (0, timedelta(minutes=1)),
    "s": (0, timedelta(seconds=1)),
}
_PART = re.compile(r"(\d+)(y|mo|min|w|d|h|s)")


def parse_duration(text: str) -> Duration:
    """Read `18mo`, `90d`, `1y6mo`, `2h30min`… (units y, mo, w, d, h, min, s)."""
    raw = text.strip().lower()
    pos, months, exact = 0, 0, timedelta(0)
    while pos < len(raw):
        m = _PART.match(raw, pos)
        if m is None:
            hint = (
                " ('m' is ambiguous: write 'mo' for months or 'min' for minutes)"
                if re.search(r"\d+m(?!o|in)", raw)
                else ""
            )
            raise InvalidTime(
                f"{text!r} is not a duration; write e.g. 18mo, 90d or 1y6mo "
                f"(units y, mo, w, d, h, min, s){hint}"
            )
        n, unit = int(m.group(1)), m.group(2)
        unit_months, unit_exact = _UNITS[unit]
        months += n * unit_months
        exact += n * unit_exact
        pos = m.end()
    duration = Duration(months, exact)
    if not raw or duration.is_zero():
        raise InvalidTime(f"{text!r} is not a positive duration; write e.g. 18mo or 90d")
    return duration


#: The largest clock offset `parse_offset` accepts, either way.
MAX_OFFSET = timedelta(days=3660)
_SECONDS = re.compile(r"\d+(\.\d+)?")


def parse_offset(text: str) -> timedelta:
    """Read a signed, exact clock offset: `+5min`, `-2h`, `1d12h`, or seconds (`300`,
    `-90.5`); a leading `+` is optional. Months and years are refused (not a fixed length),
    and so is anything beyond `MAX_OFFSET`."""
    raw = text.strip()
    sign, body = (-1, raw[1:]) if raw.startswith("-") else (1, raw.removeprefix("+"))
    hint = "write e.g. +5min, -2h, 1d or a number of seconds such as 300"
    too_far = InvalidTime(f"{text!r} is more than {MAX_OFFSET.days} days away; {hint}")
    if _SECONDS.fullmatch(body):
        seconds = float(body)
        if seconds > MAX_OFFSET.total_seconds():
            raise too_far
        magnitude = timedelta(seconds=seconds)
    else:
        try:
            duration = parse_duration(body) if body else None
        except InvalidTime:
            duration = None
        except OverflowError:
            raise too_far from None
        if duration is None:
            raise InvalidTime(f"{text!r} is not a clock offset; {hint}")
        if duration.months:
            raise InvalidTime(
                f"{text!r}: months and years have no fixed length; give weeks, days, hours, "
                "minutes or seconds"
            )
        magnitude = duration.exact
    if magnitude > MAX_OFFSET:
        raise too_far
    return sign * magnitude


def add_months(start: datetime, months: int) -> datetime:
    """Move the calendar by whole months, clamping to the target month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise InvalidTime(f"{months} months after {format_instant(start)} is out of range")
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)
