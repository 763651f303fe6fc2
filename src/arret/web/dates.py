"""Instants and dates as people read them, in the page's language: "4 March 2021, 00:00
UTC" / "4 mars 2021, 00:00 UTC", month names from the locale data Babel ships (CLDR),
never written here. Each is a `<time>` element carrying the exact ISO 8601 value in
`datetime` (for machines) and `title` (shown on hover); the API keeps ISO 8601 alone.

Instants are always shown in UTC and say so: an order's instants are legal instants,
read alike by every operator, wherever the reader is."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from markupsafe import Markup, escape

from arret.domain.instants import format_second

#: Day, month's name, year; then the time on 24 hours. One pattern for every language,
#: so a date reads the same way whatever the reader's locale orders its medium format.
INSTANT = "d MMMM y, HH:mm"
DAY = "d MMMM y"


def iso(value: datetime) -> str:
    return format_second(value)


def instant(value: datetime | str) -> datetime:
    """An instant given as a datetime or as the API's ISO 8601 text (views give text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def readable(value: datetime | str, lang: str) -> str:
    """`value` in words of `lang`, in UTC: "4 March 2021, 00:00 UTC"."""
    at = instant(value).astimezone(UTC)
    shown = format_datetime(at, INSTANT, tzinfo=UTC, locale=lang)
    return f"{shown} UTC"


def when(value: datetime | str | None, lang: str) -> Markup:
    """An instant as a `<time>` element (— when there is none)."""
    if value is None:
        return Markup("—")
    exact = iso(instant(value))
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(
        exact, escape(readable(value, lang))
    )


def day(value: date | str | None, lang: str) -> Markup:
    """A calendar date (a decision's) as a `<time>` element: "4 March 2021"."""
    if value is None:
        return Markup("—")
    found = value if isinstance(value, date) else date.fromisoformat(value)
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(
        found.isoformat(), escape(format_date(found, DAY, locale=lang))
    )
