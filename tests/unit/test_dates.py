"""Instants and dates for people (`arret.web.dates`): the reader's language, UTC said, the
exact ISO 8601 value kept in the element; month names checked against a table written
here, not against the locale data the module reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from arret.web.dates import day, readable, when

MARCH_4 = datetime(2021, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "4 March 2021, 00:00 UTC"), ("fr", "4 mars 2021, 00:00 UTC")],
)
def test_an_instant_reads_like_a_date_in_each_language(lang: str, expected: str) -> None:
    assert readable(MARCH_4, lang) == expected
    assert readable("2021-03-04T00:00:00Z", lang) == expected  # the API's text, too


def test_every_month_in_french() -> None:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    for number, name in enumerate(months, 1):
        assert readable(datetime(2022, number, 9, 17, 5, tzinfo=UTC), "fr") == (
            f"9 {name} 2022, 17:05 UTC"
        )


def test_an_instant_in_another_offset_is_shown_in_utc() -> None:
    paris = datetime(2022, 9, 4, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    assert readable(paris, "en") == "4 September 2022, 00:30 UTC"


def test_the_element_keeps_the_exact_instant() -> None:
    html = str(when(datetime(2022, 9, 4, 0, 0, 7, 250, tzinfo=UTC), "en"))
    assert html == ('<time datetime="2022-09-04T00:00:07Z" title="2022-09-04T00:00:07Z">'
                    "4 September 2022, 00:00 UTC</time>")  # fmt: skip
    assert str(when(None, "fr")) == "—"
    assert str(day(date(2021, 3, 4), "fr")) == (
        '<time datetime="2021-03-04" title="2021-03-04">4 mars 2021</time>'
    )
    assert str(day("2021-03-04", "en")).endswith(">4 March 2021</time>")


def test_text_that_is_not_an_instant_is_refused_not_shown() -> None:
    with pytest.raises(ValueError):
        when("2021-03-04T00:00:00Z<script>", "en")
