"""`arret …` run in-process against one database, at a clock the test controls."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from arret.cli.context import Env
from arret.cli.main import app
from arret.domain.instants import FixedClock
from support.templates import snapshot

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


#: `arret demo …` run once per test process on an empty SQLite database, by its arguments
#: and instant: the database it left and what it printed. A later run of the same on an
#: empty database is a copy (the demo migrates and loads: about a second; a copy, a
#: millisecond).
_demos: dict[tuple[tuple[str, ...], datetime], tuple[Path, int, str, str]] = {}


class Arret:
    def __init__(self, tmp_path: Path, url: str | None = None, now: datetime = NOW) -> None:
        self.url = url or f"sqlite:///{tmp_path / 'arret.db'}"
        self.clock = FixedClock(now)
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> tuple[int, str, str]:
        file = Path(self.url.removeprefix("sqlite:///"))
        copied = args[:1] == ("demo",) and self.url.startswith("sqlite:///")
        if copied and not file.exists() and (args, self.clock.now()) in _demos:
            template, code, out, err = _demos[(args, self.clock.now())]
            shutil.copyfile(template, file)
        else:
            empty = copied and not file.exists()
            result = self.runner.invoke(app, list(args), obj=Env(self.url, self.clock))
            code, out, err = result.exit_code, result.stdout, result.stderr
            if empty and code == 0:
                _demos[(args, self.clock.now())] = (snapshot(self.url), code, out, err)
        if ok:
            assert code == 0, (args, out, err)
        return code, out, err

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json")[1])
