"""The history written into each upgrade fixture, run by the Arrêt of an earlier commit.

`upgrade_fixtures.py` runs this file with `PYTHONPATH=<that commit's checkout>/src`, so the
`arret` imported here is the old code, driven through its own command line (in process,
with a clock this script sets; every command of every version takes its clock from the
`Env` object given to the runner). Commands and options a version does not have yet are
skipped, and the steps taken are written out with what the old code answered: the
policies it computed and the serials it published, which the upgrade test expects the
newest code to find again in the migrated database.

Randomness (TSIG secrets, token secrets, salts) comes from a seeded generator, so that
running the generator twice at one commit writes the same fixture.

    PYTHONPATH=OLD/src python tests/support/upgrade_scenario.py DB_URL LOG_KEY OUT.json
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_seeded = random.Random(15)


def _urandom(n: int) -> bytes:
    return _seeded.randbytes(n)


os.urandom = _urandom
random._urandom = _urandom  # type: ignore[attr-defined]  # SystemRandom, hence secrets

from typer.testing import CliRunner  # noqa: E402

from arret.cli.context import Env  # noqa: E402
from arret.cli.main import app  # noqa: E402
from arret.domain.instants import FixedClock  # noqa: E402

START = datetime(2026, 12, 1, 8, tzinfo=UTC)
OPERATORS = ("sfr", "orange", "free", "bouygues", "proxi")
#: The instants at which each operator's policy is recorded.
INSTANTS = (
    "2021-04-01T00:00:00Z",
    "2026-12-01T08:30:00Z",
    "2026-12-01T12:00:00Z",
    "2026-12-01T12:35:00Z",
    "2026-12-01T13:00:00Z",
    "2027-01-01T00:00:00Z",
    "2027-03-02T00:00:00Z",
    "2027-07-01T00:00:00Z",
)


class Old:
    def __init__(self, url: str, key: Path) -> None:
        self.url = url
        self.key = key
        self.clock = FixedClock(START)
        self.runner = CliRunner()
        self.steps: list[dict[str, Any]] = []

    def env(self) -> Env:
        env = Env(self.url, self.clock)
        if hasattr(env, "log_key"):
            env.log_key = self.key
        return env

    def has(self, *words: str) -> bool:
        """Whether this version's command line has the command (and option) named."""
        command = [w for w in words if not w.startswith("--")]
        options = [w for w in words if w.startswith("--")]
        result = self.runner.invoke(app, [*command, "--help"], obj=self.env())
        return result.exit_code == 0 and all(o in result.stdout for o in options)

    def at(self, instant: str) -> None:
        self.clock.instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))

    def __call__(self, *args: str, quiet: bool = False) -> str:
        result = self.runner.invoke(app, list(args), obj=self.env())
        if result.exit_code != 0:
            raise SystemExit(
                f"arret {' '.join(args)} failed ({result.exit_code}): {result.stdout}"
                f"{getattr(result, 'stderr', '')}{result.exception!r}"
            )
        if not quiet:
            self.steps.append({"at": self.clock.instant.isoformat(), "arret": list(args)})
        return result.stdout

    def publish_due(self) -> None:
        """What `arret serve`'s scheduler does when an instant falls due."""
        try:
            from arret.services import feed
        except ImportError:
            return  # no feed yet
        engine = self.env().engine
        with engine.begin() as conn:
            feed.publish_due(conn, self.clock.now())
        engine.dispose()
        self.steps.append({"at": self.clock.instant.isoformat(), "publish_due": True})

    def adopt_notice_host(self, host: str) -> None:
        """What `arret serve --notice-host HOST` does at start when the host is new."""
        try:
            from arret.services.feed import adopt_notice_host
        except ImportError:
            return  # the notice host was not recorded yet
        engine = self.env().engine
        with engine.begin() as conn:
            adopt_notice_host(conn, host, self.clock.now())
        engine.dispose()
        self.steps.append({"at": self.clock.instant.isoformat(), "adopt_notice_host": host})


def run(old: Old) -> dict[str, Any]:
    yes = ["--yes"] if old.has("order", "add", "--yes") else []
    old("init")
    # The 2021 case alone: the present-day orders of the moving demo would take the ids
    # the steps below name.
    moving = ["--no-moving"] if old.has("demo", "--no-moving") else []
    old("demo", "--actor", "demo", *(["--no-tokens"] if old.has("demo", "--tokens") else []),
        *moving)  # fmt: skip
    old("operator", "add", "proxi", "--notify", "192.0.2.53", "--actor", "clerk")
    if old.has("token", "create"):
        old("token", "create", "--role", "auditor", "--label", "press", "--actor", "clerk")
    old.at("2026-12-01T08:01:00Z")
    old("order", "add", "jeux.example", "paris.example", "--reference", "ANJ-2026-17",
        "--authority", "ANJ", "--requester", "ANJ", "--decided", "2026-11-30",
        "--effective", "2026-12-01T12:00:00Z", "--duration", "90d",
        "--operator", "orange", "--operator", "proxi", "--basis", "gambling law",
        "--actor", "clerk", *yes)  # fmt: skip
    old.at("2026-12-01T08:02:00Z")
    old("order", "add", "contrefacon.example", "--exact", "--reference", "TJ-26-0042",
        "--authority", "Tribunal judiciaire de Paris", "--decided", "2026-11-20",
        "--expires", "2027-06-01T00:00:00Z", "--all-operators", "--actor", "clerk",
        *yes)  # fmt: skip
    old.at("2026-12-01T08:03:00Z")
    old("allow", "add", "aide.jeux.example", "--reason", "the regulator's help page",
        "--actor", "clerk")  # fmt: skip
    old.at("2026-12-01T08:04:00Z")
    old("order", "add", "secret.example", "hidden.example", "--confidential", "--reference",
        "TJ-26-0077", "--authority", "Tribunal judiciaire de Paris", "--decided", "2026-12-01",
        "--duration", "60d", "--operator", "bouygues", "--actor", "clerk", *yes)  # fmt: skip
    if old.has("operator", "rotate-key"):
        old("operator", "rotate-key", "orange", "--overlap", "1h", "--actor", "clerk")
    old.at("2026-12-01T12:30:00Z")
    old.publish_due()
    old.at("2026-12-01T12:31:00Z")
    old("order", "amend", "2", "--add", "jeux-miroir.example", "--remove", "paris.example",
        "--actor", "clerk", *yes)  # fmt: skip
    old.at("2026-12-01T12:32:00Z")
    old("order", "add", "stream.example", "--reference", "TJ-26-0051", "--authority",
        "Tribunal judiciaire de Paris", "--decided", "2026-12-01", "--duration", "30d",
        "--operator", "sfr", "--operator", "free", "--action", "notice", "--notice",
        "Blocked by court order TJ-26-0051.", "--actor", "clerk", *yes)  # fmt: skip
    old.at("2026-12-01T12:33:00Z")
    old.adopt_notice_host("blocked.example.net")
    old.at("2026-12-01T12:40:00Z")
    old("order", "lift", "5", "--reason", "appeal granted", "--actor", "clerk")
    if old.has("allow", "remove"):
        old.at("2026-12-01T12:41:00Z")
        old("allow", "remove", "aide.jeux.example", "--reason", "page moved", "--actor",
            "clerk")  # fmt: skip
    old.at("2026-12-02T00:00:00Z")
    old.publish_due()
    return {"expected": expected(old), "steps": old.steps}


def expected(old: Old) -> dict[str, Any]:
    """What the old code answers about the history it wrote."""
    policies: dict[str, dict[str, Any]] = {}
    for operator in OPERATORS:
        for instant in INSTANTS:
            args = ("policy", "--operator", operator, "--at", instant, "--json")
            shown = json.loads(old(*args, quiet=True))
            policies.setdefault(operator, {})[instant] = {
                "rules": shown["rules"],
                "passthru": shown.get("passthru", []),
            }
    return {"policies": policies}


def main() -> None:
    url, key, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    import arret

    found = run(Old(url, key))
    found["code"] = str(Path(arret.__file__).parent)
    out.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
