"""Options shared by several commands, and the parsing of what they carry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from arret.cli.context import default_actor
from arret.domain.instants import Clock, parse_duration, parse_instant
from arret.errors import InvalidTime

At = Annotated[
    str | None,
    typer.Option(
        "--at", metavar="DATETIME", help="Evaluate at this instant (ISO 8601; default: now)."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Actor = Annotated[
    str | None,
    typer.Option(metavar="WHO", help="Who makes this change (default: your login name)."),
]


def instant(text: str | None, clock: Clock) -> datetime:
    return parse_instant(text) if text is not None else clock.now()


def actor_of(value: str | None) -> str:
    return value or default_actor()


def span(text: str, now: datetime) -> timedelta:
    """A duration option (`30d`, `15min`, `18mo`) as its length from `now` (months vary)."""
    return parse_duration(text).after(now) - now


def instant_or_span(text: str, now: datetime, option: str, before: bool = False) -> datetime:
    """An option that takes an instant (2027-06-01), or a duration from now — after it, or
    before it when `before` (`--since 30d`)."""
    try:
        length = span(text, now)
        return now - length if before else now + length
    except InvalidTime:
        pass
    try:
        return parse_instant(text)
    except InvalidTime:
        raise InvalidTime(
            f"{option} {text!r} is neither an instant (2027-06-01T00:00Z) nor a duration "
            "(90d, 18mo)"
        ) from None


Control = Annotated[
    str | None,
    typer.Option(
        "--control", metavar="HOST:PORT", help="A resolver without the policy, as a control."
    ),
]
Canaries = Annotated[
    list[str] | None,
    typer.Option("--canary", metavar="NAME", help="A name that must resolve (repeatable)."),
]
