"""ARRET_CLOCK_OFFSET: every command's "now" moved by a fixed offset, for tests and demos
(`arret serve` seen minutes ahead); a bad value is refused before anything is touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ARRET = str(Path(sys.executable).parent / "arret")


def run(folder: Path, *args: str, offset: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
    env.pop("ARRET_CLOCK_OFFSET", None)
    if offset is not None:
        env["ARRET_CLOCK_OFFSET"] = offset
    return subprocess.run(
        [ARRET, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_demo_seen_five_minutes_ahead_has_its_mirror_and_not_its_short_order(
    tmp_path: Path,
) -> None:
    loaded = run(tmp_path, "demo", "--no-tokens")
    assert loaded.returncode == 0, loaded.stderr

    now = run(tmp_path, "policy", "--operator", "orange")
    assert now.returncode == 0, now.stderr
    assert "fuite-sante-demo.example" in now.stdout
    assert "ephemere-demo.example" in now.stdout
    assert "fuite-sante-demo-miroir.example" not in now.stdout  # a minute from now

    ahead = run(tmp_path, "policy", "--operator", "orange", offset="+5min")
    assert ahead.returncode == 0, ahead.stderr
    assert "fuite-sante-demo.example" in ahead.stdout
    assert "fuite-sante-demo-miroir.example" in ahead.stdout
    assert "ephemere-demo.example" not in ahead.stdout  # ended after four minutes

    behind = run(tmp_path, "policy", "--operator", "orange", offset="-300")
    assert behind.returncode == 0, behind.stderr
    assert "demo.example" not in behind.stdout  # before the demo was loaded


@pytest.mark.parametrize(
    ("offset", "reason"),
    [("5m", "not a clock offset"), ("1mo", "no fixed length"), ("4000d", "more than")],
)
def test_a_bad_offset_is_refused_in_one_line_and_nothing_is_written(
    tmp_path: Path, offset: str, reason: str
) -> None:
    refused = run(tmp_path, "demo", offset=offset)
    assert refused.returncode == 1
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) == 1, refused.stderr
    assert lines[0].startswith(f"arret: ARRET_CLOCK_OFFSET: {offset!r}")
    assert reason in lines[0]
    assert not (tmp_path / "arret.db").exists()
