"""The systemd units shipped in contrib/systemd are ones systemd itself accepts
(`systemd-analyze verify`: every directive parsed, the command found), lock the service
down as docs/deployment.md says, and start a command this version of Arrêt has.

`systemd-analyze` needs no running systemd; it comes with Debian's `systemd` package
(installed by the test setup when missing, as root). Its warnings ("Failed to parse …,
ignoring") leave its exit status 0, so the test fails on any output at all."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.debian import require_program

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "contrib" / "systemd"
ARRET = str(Path(sys.executable).parent / "arret")
INSTALLED = "/opt/arret/bin/arret"
#: How each unit is verified: a template as one of its instances.
NAMES = {
    "arret.service": "arret.service",
    "arret-feed-sync@.service": "arret-feed-sync@orange.service",
}


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_every_unit_is_listed_here() -> None:
    assert sorted(p.name for p in UNITS.glob("*.service")) == sorted(NAMES)


@pytest.mark.parametrize("unit", sorted(NAMES))
def test_systemd_accepts_the_unit(unit: str, tmp_path: Path) -> None:
    analyze = require_program("systemd-analyze", "systemd")
    text = (UNITS / unit).read_text()
    assert INSTALLED in text
    # The installed path does not exist here: the unit names this test's own `arret`.
    (tmp_path / unit).write_text(text.replace(INSTALLED, ARRET))
    done = subprocess.run([analyze, "verify", str(tmp_path / NAMES[unit])],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), (
        done.stdout + done.stderr
    )


@pytest.mark.parametrize("unit", sorted(NAMES))
def test_the_unit_is_locked_down(unit: str) -> None:
    found = directives((UNITS / unit).read_text())
    for key, value in {
        "ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes",
        "PrivateTmp": "yes", "PrivateDevices": "yes", "SystemCallFilter": "@system-service",
    }.items():  # fmt: skip
        assert found.get(key) == [value], (unit, key, found.get(key))
    assert "User" in found or found.get("DynamicUser") == ["yes"]
    assert found.get("User") != ["root"]
    # Secrets reach the service as credentials (readable by it alone), never as arguments.
    assert any(c.startswith(("log.key:", "tsig:")) for c in found.get("LoadCredential", []))
    options = [w for w in shlex.split(found["ExecStart"][0]) if w.startswith("--")]
    assert all(o.endswith("-file") for o in options if "secret" in o or "key" in o), options


@pytest.mark.parametrize("unit", sorted(NAMES))
def test_the_command_is_one_this_arret_has(unit: str) -> None:
    """Every option the unit's command line gives is one `arret … --help` lists."""
    command = directives((UNITS / unit).read_text())["ExecStart"][0]
    words = shlex.split(command)
    assert words[0] == INSTALLED
    sub = [w for w in words[1:3] if not w.startswith(("-", "$"))]
    helped = subprocess.run([ARRET, *sub, "--help"], capture_output=True, text=True,
                            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    for option in (w for w in words if w.startswith("--")):
        assert re.search(rf"{re.escape(option)}\b", helped.stdout), (option, sub)


def test_the_example_settings_give_every_variable_the_unit_reads() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", (UNITS / "arret.service").read_text()))
    given = {line.split("=", 1)[0] for line in (UNITS / "arret.env.example").read_text()
             .splitlines() if line and not line.startswith("#")}  # fmt: skip
    assert used <= given, used - given
    assert shutil.which("true")  # the environment this test runs in is a normal one
