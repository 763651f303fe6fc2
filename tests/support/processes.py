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

from support.authority import free_port


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


def children(pid: int) -> list[int]:
    """The processes `pid` started and that still run (Linux /proc): `arret serve`'s HTTP
    workers."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


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


def rcode(port: int, name: str, rdtype: str = "A", timeout: float = 2.0) -> str:
    return dns.rcode.to_text(query(port, name, rdtype, timeout).rcode())


#: What servers print when the port they were given was taken since it was chosen (BIND
#: says "address in use" and may keep running without it).
PORT_TAKEN = ("Address already in use", "address already in use", "EADDRINUSE",
              "address in use")  # fmt: skip


def start_on_free_ports(
    count: int,
    start: Callable[[tuple[int, ...]], Process],
    ready: Callable[[tuple[int, ...]], bool],
    timeout: float,
    what: str,
    attempts: int = 5,
) -> tuple[Process, tuple[int, ...]]:
    """Start a server subprocess on `count` ports chosen now, until `ready`.

    A subprocess cannot bind port 0 and tell us (and `arret serve`, Unbound and the like
    need one number for UDP and TCP alike), so a port is picked free and passed on — and
    another process may take it in between. When the server exits (or never gets ready)
    saying so, it is started again on fresh ports instead of failing the test.
    """
    for _ in range(attempts):
        ports = tuple(free_port() for _ in range(count))
        process = start(ports)
        try:
            wait_until(lambda p=process, ports=ports: p.popen.poll() is not None or ready(ports),
                       timeout, what)  # fmt: skip
        except AssertionError:
            process.stop()
            if any(sign in process.output() for sign in PORT_TAKEN):
                continue
            raise
        if process.popen.poll() is None:
            return process, ports
        process.stop()
        output = process.output()
        if not any(sign in output for sign in PORT_TAKEN):
            raise AssertionError(f"{what} exited ({process.popen.returncode}):\n{output[-3000:]}")
    raise AssertionError(f"{what}: its ports were taken {attempts} times in a row")
