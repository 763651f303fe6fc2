"""Installing the Debian packages the tests need (CI runs on a fresh machine as root)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_APT_LOCK_TIMEOUT = "DPkg::Lock::Timeout=120"
_POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
#: The suite runs in two worker processes (`make test`): one installs at a time, and the
#: other then finds the package there (apt's own lock would make it fail or wait without
#: our policy-rc.d, which the first removes when it is done).
_INSTALL_LOCK = Path(tempfile.gettempdir()) / "arret-tests-apt.lock"


class AptError(RuntimeError):
    """apt-get could not install what the tests need."""


def is_root() -> bool:
    return os.geteuid() == 0


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def apt_install(packages: list[str]) -> None:
    """`apt-get install` without letting the packages start their own daemons, one test
    process at a time."""
    with _INSTALL_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _apt_install(packages)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _apt_install(packages: list[str]) -> None:
    if shutil.which("apt-get") is None:
        raise AptError(f"cannot install {packages}: there is no apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "-o", _APT_LOCK_TIMEOUT, "install", "-y", "-q", *packages]
    update = ["apt-get", "-o", _APT_LOCK_TIMEOUT, "update", "-q"]

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1200,
            check=False,
        )

    # An `exit 101` policy-rc.d keeps package scripts from starting services; the tests
    # start their own servers on loopback.
    created_policy = False
    if not _POLICY_RC_D.exists():
        _POLICY_RC_D.write_text("#!/bin/sh\nexit 101\n")
        _POLICY_RC_D.chmod(0o755)
        created_policy = True
    try:
        result = run(install)
        if result.returncode != 0:
            # Typically a fresh machine whose package lists were never fetched.
            updated = run(update)
            if updated.returncode != 0:
                raise AptError(
                    f"apt-get install {' '.join(packages)} failed:\n{tail(result.stdout)}\n"
                    f"and apt-get update failed too:\n{tail(updated.stdout)}"
                )
            result = run(install)
            if result.returncode != 0:
                raise AptError(
                    f"apt-get install {' '.join(packages)} failed (after apt-get update):\n"
                    f"{tail(result.stdout)}"
                )
    finally:
        if created_policy:
            _POLICY_RC_D.unlink(missing_ok=True)


def require_program(program: str, package: str) -> str:
    """The path of `program`, installing `package` when missing and root; skips the test
    when missing and not root (installation is not ours to do then)."""
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin:/sbin")
    if found:
        return found
    if not is_root():
        pytest.skip(f"{program} is missing (Debian package {package}); not root, so not installed")
    apt_install([package])
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        raise AptError(f"installed {package} but {program} is still not found")
    return found


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return status.returncode == 0 and status.stdout.endswith("installed")


def require_package(package: str) -> None:
    """Install a library `package` (as root) when dpkg says it is not installed."""
    if _installed(package):
        return
    if not is_root():
        pytest.skip(f"{package} is missing; not root, so not installed")
    apt_install([package])
    if not _installed(package):
        raise AptError(f"apt-get install {package} did not install it")
