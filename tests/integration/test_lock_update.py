"""The documented way to update the lock works: `make lock` (the Makefile's target, run in a
copy of the project's pyproject.toml, requirements.lock and Makefile) resolves the
dependencies again from the package registry and writes a lock that installs.

Run with `LOCK_ARGS=` (no upgrade), it must give back the committed lock byte for byte
(pins, hashes, and the header naming the command): a lock that `make lock` would rewrite
was not made by it (edited by hand, or by another resolver), and the next person to add a
dependency would get unrelated changes.
About a minute (pip-compile resolves every dependency and fetches its files' hashes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_lock_without_upgrade_writes_the_committed_lock(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "requirements.lock", "Makefile"):
        shutil.copy(ROOT / name, tmp_path / name)
    # pyproject.toml reads the version from the package.
    (tmp_path / "src" / "arret").mkdir(parents=True)
    shutil.copy(ROOT / "src" / "arret" / "__init__.py", tmp_path / "src" / "arret")
    done = subprocess.run(
        ["make", "lock", "LOCK_ARGS=", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "requirements.lock").read_text() == (ROOT / "requirements.lock").read_text()
