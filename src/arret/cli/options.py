"""Options shared by several commands, and the parsing of what they carry."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer

from arret.cli.context import default_actor
from arret.domain import text
from arret.domain.instants import Clock, parse_duration, parse_instant
from arret.errors import ArretError, InvalidText, InvalidTime

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
    """Who makes a change: written into its event, so held to the rules of free text."""
    if value is not None and (problems := text.check((text.ACTOR, value))):
        raise InvalidText("--actor refused", problems)
    return value or default_actor()


def span(text: str, now: datetime) -> timedelta:
    """A duration option (`30d`, `15min`, `18mo`) as its length from `now` (months vary)."""
    return parse_duration(text).after(now) - now


_SIZE = re.compile(r"^\s*(\d+)\s*(b|kib|mib|gib|kb|mb|gb|k|m|g)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "k": 2**10, "kib": 2**10, "m": 2**20, "mib": 2**20, "g": 2**30,
               "gib": 2**30, "kb": 10**3, "mb": 10**6, "gb": 10**9}  # fmt: skip


def size(text: str, option: str) -> int:
    """A size option: `16MiB`, `512KiB`, `64k` (binary), `40MB` (decimal), or bytes."""
    m = _SIZE.match(text)
    if m is None or int(m.group(1)) == 0:
        raise InvalidSize(f"{option} {text!r} is not a size; write e.g. 64MiB, 512KiB or 1000000")
    return int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()]


class InvalidSize(ArretError):
    """A size option that cannot be read."""


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
