"""What every command shares: the database, the clock, the console."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import typer
from sqlalchemy import Connection, Engine

from arret.domain.instants import Clock, SystemClock
from arret.store.db import open_engine, require_current


@dataclass
class Env:
    url: str
    clock: Clock = field(default_factory=SystemClock)
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.url)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for the whole command: every write of it lands, or none."""
        require_current(self.engine)
        with self.engine.begin() as conn:
            yield conn


def env(ctx: typer.Context) -> Env:
    found = ctx.find_object(Env)
    assert found is not None, "the root callback sets the Env"
    return found


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
