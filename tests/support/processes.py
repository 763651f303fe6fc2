"""Servers the tests start: each a subprocess ended by its PID when the test ends."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode


class Process:
    def __init__(self, argv: list[str], log: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.log = log
        self.handle = log.open("wb")
        self.popen = subprocess.Popen(
            argv, stdout=self.handle, stderr=subprocess.STDOUT, cwd=cwd, env=env
        )

    def output(self) -> str:
        if not self.handle.closed:
            self.handle.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()  # by PID, never by name
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.handle.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.05) -> float:
    """Poll `check` until true; returns the seconds it took, or fails naming `what`."""
    start = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - start
        except (dns.exception.DNSException, OSError):
            pass
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def query(port: int, name: str, rdtype: str = "A", timeout: float = 2.0) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port,
                         timeout=timeout)  # fmt: skip


def rcode(port: int, name: str, rdtype: str = "A") -> str:
    return dns.rcode.to_text(query(port, name, rdtype).rcode())
