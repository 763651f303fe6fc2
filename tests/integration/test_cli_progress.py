"""Long commands at a terminal show what they are doing and end with one summary line;
piped (or with --json) they print the result alone.

Each command runs as a person runs it, in a process of its own: at a terminal on a
pseudo-terminal (`support.terminal`), in a script with its output piped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.terminal import CURSOR_HIDDEN, CURSOR_SHOWN, ESCAPES, lines, run_in_terminal

ARRET = str(Path(sys.executable).parent / "arret")
NAMES = 5_000
ORDER = ["order", "add", "--reference", "RG 26/19", "--authority", "TJ Paris", "--decided",
         "2026-11-01", "--duration", "90d", "--operator", "orange", "--operator", "sfr",
         "--yes"]  # fmt: skip
#: The summary of ORDER with a file of NAMES names, in force at once.
REGISTERED = re.compile(
    r"order (\d+) registered: 5,000 names for orange and sfr; serial (\d+) for orange and "
    r"sfr; in \d+(\.\d)? s"
)


def piped(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


@pytest.fixture
def registry(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A registry with two operators, and a targets file of NAMES names."""
    env = {**os.environ, "ARRET_DB": f"sqlite:///{tmp_path / 'arret.db'}",
           "ARRET_LOG_KEY": str(tmp_path / "log.key")}  # fmt: skip
    piped(env, "init")
    piped(env, "operator", "add", "orange")
    piped(env, "operator", "add", "sfr")
    targets = tmp_path / "targets.txt"
    targets.write_text("".join(f"site{i}.leak.example\n" for i in range(NAMES)))
    return env, targets


def test_order_add_at_a_terminal_shows_each_step_then_ends_with_its_summary(
    registry: tuple[dict[str, str], Path],
) -> None:
    env, targets = registry
    code, drawn = run_in_terminal([ARRET, *ORDER, "--targets-file", str(targets)], env)
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    for step in (f"reading {targets}", "checking 5,000 names",
                 "writing the order's 5,000 names and signing them into the log",
                 "publishing for orange, sfr: computing the zone",
                 "publishing for orange, sfr: signing 2 new serials into the log",
                 "committing"):  # fmt: skip
        assert step in text, (step, text)
    # The display started, ended (the cursor shown again), and was erased before the
    # summary, which is the last thing on screen.
    assert drawn.count(CURSOR_HIDDEN) == 1 and drawn.count(CURSOR_SHOWN) == 1
    assert drawn.index(CURSOR_SHOWN) < drawn.index(b"order 1 registered")
    shown = [line for line in lines(drawn) if line.strip()]
    assert REGISTERED.fullmatch(shown[-1]), shown[-1]
    # The same at a terminal when amending from a file: steps, then one summary line.
    mirrors = targets.with_name("mirrors.txt")
    mirrors.write_text("".join(f"mirror{i}.leak.example\n" for i in range(2_000)))
    code, drawn = run_in_terminal(
        [ARRET, "order", "amend", "1", "--yes", "--targets-file", str(mirrors)], env
    )
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    assert "checking 2,000 names" in text and "committing" in text
    assert drawn.count(CURSOR_SHOWN) == 1
    last = [line for line in lines(drawn) if line.strip()][-1]
    assert re.fullmatch(r"order 1 amended: 2,000 added, 0 removed; 7,000 targets now; serial "
                        r"\d+ for orange and sfr; in \d+\.\d s", last), last  # fmt: skip


def test_piped_the_result_is_one_line_and_with_json_one_object(
    registry: tuple[dict[str, str], Path],
) -> None:
    env, targets = registry
    done = piped(env, *ORDER, "--targets-file", str(targets))
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1 and "\x1b" not in done.stdout
    found = REGISTERED.fullmatch(done.stdout.strip())
    assert found is not None, done.stdout
    # The id is the line's second word, as the docs tell scripts to read it.
    assert done.stdout.split()[1] == found.group(1) == "1"
    listed = json.loads(piped(env, "order", "list", "--json").stdout)
    assert [o["id"] for o in listed] == [1]

    again = piped(env, *ORDER, "--reference", "RG 26/20", "--json", "other.example")
    assert again.stderr == ""
    data = json.loads(again.stdout)
    assert data["id"] == 2 and data["names"] == 1 and data["operators"] == ["orange", "sfr"]
    assert set(data["serials"]) == {"orange", "sfr"}
    assert data["summary"].startswith("order 2 registered: 1 name for orange and sfr; serial ")

    amended = json.loads(piped(env, "order", "amend", "2", "--add", "m.example", "--json").stdout)
    assert (amended["id"], amended["added"], amended["removed"], amended["targets"]) == (2, 1, 0, 2)
    assert amended["serials"]["orange"] > data["serials"]["orange"]


def test_with_json_at_a_terminal_nothing_but_the_object_is_drawn(
    registry: tuple[dict[str, str], Path],
) -> None:
    env, targets = registry
    code, drawn = run_in_terminal([ARRET, *ORDER, "--targets-file", str(targets), "--json"], env)
    assert code == 0, drawn
    assert b"\x1b" not in drawn
    assert json.loads(drawn.decode())["id"] == 1


def test_a_refused_order_at_a_terminal_erases_its_steps_and_says_why(
    registry: tuple[dict[str, str], Path],
) -> None:
    env, targets = registry
    with targets.open("a") as handle:
        handle.write("192.0.2.1\n")
    code, drawn = run_in_terminal([ARRET, *ORDER, "--targets-file", str(targets)], env)
    assert code == 1
    assert drawn.count(CURSOR_SHOWN) == 1  # the display ended
    text = ESCAPES.sub(b"", drawn).decode()
    assert "'192.0.2.1'" in text and "nothing was registered" in text
    assert "order 1 registered" not in text
