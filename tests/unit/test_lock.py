"""The install is the lock: `requirements.lock` pins every dependency pyproject.toml names
(and the dev extra) with its files' hashes, and the environment the tests run in is
exactly what it pins.

A dependency added to pyproject.toml without `make lock` fails here, with the command to
run; so does a lock edited by hand out of range, and an environment installed some other
way (two installs a month apart would otherwise run different code)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """Each pinned package's canonical name: its version and its hashes."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in text.splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            found[name] = (match[2], [])
        elif line.strip().startswith("--hash=") and name:
            found[name][1].append(line.strip().removeprefix("--hash=").rstrip(" \\"))
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [
        Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]


def test_every_dependency_is_pinned_within_its_range_with_hashes() -> None:
    locked = pins(LOCK.read_text())
    stale = []
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            stale.append(f"{requirement} is not in requirements.lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            stale.append(f"{requirement}: the lock pins {locked[name][0]}")
    assert not stale, "run `make lock` (see the Makefile):\n" + "\n".join(stale)
    unhashed = [n for n, (_, hashes) in locked.items() if not hashes]
    assert not unhashed, f"pinned without a hash: {unhashed}"
    assert all(h.startswith("sha256:") for _, hashes in locked.values() for h in hashes)


def test_the_lock_says_how_it_was_made() -> None:
    """The header's command is the one `make lock` runs, so regenerating gives this file's
    form (no index or find-links addresses of the machine that made it)."""
    text = LOCK.read_text()
    assert "--generate-hashes" in text and "--extra=dev" in text
    assert "--index-url" not in text and "--find-links" not in text
    makefile = (ROOT / "Makefile").read_text()
    assert "pip-compile" in makefile and "-o requirements.lock pyproject.toml" in makefile


def test_the_environment_is_what_the_lock_pins() -> None:
    locked = pins(LOCK.read_text())
    differ = {
        name: (version, installed)
        for name, (version, _) in locked.items()
        if (installed := _installed(name)) != version
    }
    assert not differ, f"installed differs from requirements.lock (lock, installed): {differ}"


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_the_pin_reader_is_not_fooled() -> None:
    """The checks above read what they should: a made-up lock with a missing hash and a
    version out of range."""
    text = "foo==1.0 \\\n    --hash=sha256:ab\n    # via x\nbar-baz==2.0\n"
    assert pins(text) == {"foo": ("1.0", ["sha256:ab"]), "bar-baz": ("2.0", [])}
    assert not Requirement("foo>=1.1").specifier.contains("1.0")


def test_pip_finds_nothing_broken() -> None:
    """The pinned set is consistent by pip's own reading of every package's requirements."""
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
