"""`arret …` run in-process against one database, at a clock the test controls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from arret.cli.context import Env
from arret.cli.main import app
from arret.domain.instants import FixedClock

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


class Arret:
    def __init__(self, tmp_path: Path, url: str | None = None, now: datetime = NOW) -> None:
        self.url = url or f"sqlite:///{tmp_path / 'arret.db'}"
        self.clock = FixedClock(now)
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> tuple[int, str, str]:
        result = self.runner.invoke(app, list(args), obj=Env(self.url, self.clock))
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json")[1])
