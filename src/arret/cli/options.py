"""Options shared by several commands, and the parsing of what they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from arret.cli.context import default_actor
from arret.domain.instants import Clock, parse_instant

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
