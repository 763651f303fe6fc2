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
#: One serial for both operators, or one each when their serials were a second apart
#: before (the clock's second, above each one's last: a loaded machine crosses seconds
#: between the fixture's writes).
SERIALS = r"(?:serial \d+ for orange and sfr|serials orange \d+ and sfr \d+)"
#: The summary of ORDER with a file of NAMES names, in force at once.
REGISTERED = re.compile(
    rf"order (\d+) registered: 5,000 names for orange and sfr; {SERIALS}; in \d+(\.\d)? s"
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
    secret = re.search(r"secret:\s+(\S+)", piped(env, "operator", "add", "orange").stdout)
    assert secret is not None
    (tmp_path / "orange.tsig").write_text(secret.group(1) + "\n")
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
    for step in (f"reading {targets}", "checking 5,000 names", "writing the order's 5,000 names",
                 "signing the order's 5,000 names into the log",
                 "publishing for orange, sfr: computing the zone",
                 "publishing for orange, sfr: signing 2 new serials into the log",
                 "committing"):  # fmt: skip
        assert step in text, (step, text)
    # The steps that go through the names count them, and are drawn when they end.
    for step in ("checking 5,000 names", "writing the order's 5,000 names"):
        assert re.search(rf"{step} [^\r\n]*\b5,000/5,000", text), (step, text)
    # Publishing counts the zone entries it writes (two a name: the name and its subtree).
    step = "publishing for orange, sfr: writing 10,000 zone entries and their digest"
    assert re.search(rf"{step} [^\r\n]*\b10,000/10,000", text), (step, text)
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
    assert "committing" in text
    for step in ("checking 2,000 names", "writing 2,000 changed names"):
        assert re.search(rf"{step} [^\r\n]*\b2,000/2,000", text), (step, text)
    assert drawn.count(CURSOR_SHOWN) == 1
    last = [line for line in lines(drawn) if line.strip()][-1]
    assert re.fullmatch(r"order 1 amended: 2,000 added, 0 removed; 7,000 targets now; "
                        rf"{SERIALS}; in \d+\.\d s", last), last  # fmt: skip
    # And lifting it: each policy it publishes, then its one line.
    code, drawn = run_in_terminal([ARRET, "order", "lift", "1", "--reason", "appeal won"], env)
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    assert "publishing for orange, sfr: writing 14,000 zone entries" in text, text
    assert drawn.count(CURSOR_SHOWN) == 1
    last = [line for line in lines(drawn) if line.strip()][-1]
    assert re.fullmatch(r"order 1 lifted at \S+ \(addressed to orange and sfr\); "
                        rf"{SERIALS}; in \d+\.\d s", last), last  # fmt: skip


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
    summary = data["summary"]
    assert re.match(rf"order 2 registered: 1 name for orange and sfr; {SERIALS}; ", summary)

    amended = json.loads(piped(env, "order", "amend", "2", "--add", "m.example", "--json").stdout)
    assert (amended["id"], amended["added"], amended["removed"], amended["targets"]) == (2, 1, 0, 2)
    assert amended["serials"]["orange"] > data["serials"]["orange"]

    lifted = piped(env, "order", "lift", "2", "--reason", "settled")
    assert lifted.stderr == "" and lifted.stdout.count("\n") == 1 and "\x1b" not in lifted.stdout
    line = rf"order 2 lifted at \S+ \(addressed to orange and sfr\); {SERIALS}; in \d+\.\d s"
    assert re.fullmatch(line, lifted.stdout.strip()), lifted.stdout


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


def test_log_verify_at_a_terminal_shows_its_steps_piped_one_line(
    registry: tuple[dict[str, str], Path],
) -> None:
    env, targets = registry
    piped(env, *ORDER, "--targets-file", str(targets))
    code, drawn = run_in_terminal([ARRET, "log", "verify"], env, columns=300)  # one line
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    for step in ("reading and hashing the leaves", "checking the signed tree heads",
                 "checking each event against its leaves",
                 "checking each feed serial against its journal"):  # fmt: skip
        assert step in text, (step, text)
    assert drawn.count(CURSOR_SHOWN) == 1
    last = [line for line in lines(drawn) if line.strip()][-1]
    assert last.startswith("log verified: "), last
    done = piped(env, "log", "verify")
    assert done.stderr == "" and "\x1b" not in done.stdout
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("log verified: ")


def test_feed_sync_once_at_a_terminal_shows_the_transfer_and_the_write(
    registry: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    from support.livefeed import LiveFeed

    from arret.domain.instants import SystemClock

    env, targets = registry
    piped(env, *ORDER, "--targets-file", str(targets))
    live = LiveFeed(env["ARRET_DB"], SystemClock())
    try:
        live.tick()
        sync = [ARRET, "feed", "sync", "--server", f"127.0.0.1:{live.port}", "--zone",
                "orange.rpz.arret.", "--key-name", "orange-1.tsig.arret.", "--key-file",
                str(tmp_path / "orange.tsig"), "--once", "--out"]  # fmt: skip
        code, drawn = run_in_terminal([*sync, str(tmp_path / "tty.zone")], env)
        assert code == 0, drawn
        text = ESCAPES.sub(b"", drawn).decode()
        assert f"transferring orange.rpz.arret. from 127.0.0.1:{live.port}" in text, text
        assert f"writing {tmp_path / 'tty.zone'} (record sets)" in text, text
        assert drawn.count(CURSOR_SHOWN) == 1
        summary = re.compile(
            rf".*: serial \d+ from 127.0.0.1:{live.port}, 10,000 owner names, written; "
            r"in \d+\.\d s"
        )  # each subtree target owns its name and its wildcard
        last = [line for line in lines(drawn) if line.strip()][-1]
        assert summary.fullmatch(last), last
        done = piped(env, *sync[1:], str(tmp_path / "piped.zone"))
        assert done.stderr == "" and done.stdout.count("\n") == 1, done
        assert summary.fullmatch(done.stdout.strip()), done.stdout
        assert (tmp_path / "piped.zone").read_text() == (tmp_path / "tty.zone").read_text()
    finally:
        live.close()


def test_init_and_demo_at_a_terminal_show_the_migrations_and_the_loading(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "ARRET_DB": f"sqlite:///{tmp_path / 'arret.db'}",
           "ARRET_LOG_KEY": str(tmp_path / "log.key")}  # fmt: skip
    code, drawn = run_in_terminal([ARRET, "init"], env, columns=300)
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    assert "migrating the schema" in text and drawn.count(CURSOR_SHOWN) == 1
    assert [line for line in lines(drawn) if line.strip()][-1].startswith(
        "created the Arrêt schema"
    )
    code, drawn = run_in_terminal([ARRET, "demo", "--no-tokens"], env)
    assert code == 0, drawn
    text = ESCAPES.sub(b"", drawn).decode()
    assert "loading the 2021 case and the present-day orders" in text
    assert drawn.index(CURSOR_SHOWN) < drawn.index(b"order 1 registered: 21-51823")
    # Piped, the same commands print their lines and nothing else.
    other = {**env, "ARRET_DB": f"sqlite:///{tmp_path / 'other.db'}"}
    for args in (["init"], ["demo", "--no-tokens"]):
        done = piped(other, *args)
        assert done.stderr == "" and "\x1b" not in done.stdout and "migrating" not in done.stdout
