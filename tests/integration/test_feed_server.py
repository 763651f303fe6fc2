"""`arret serve` as a real process on loopback: it survives garbage, and its serials keep
increasing across restarts."""

from __future__ import annotations

import os
import random
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest
from support.processes import Process, start_on_free_ports, wait_until

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "orange.rpz.arret."


class Feed:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
        self.port = 0  # chosen at each start
        self.process: Process | None = None

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stderr)
        return run.stdout

    def start(self) -> None:
        def ready(ports: tuple[int, ...]) -> bool:
            self.port = ports[0]
            return self.serial() > 0

        self.process, (self.port, _) = start_on_free_ports(
            2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                                  f"127.0.0.1:{p[1]}", "-v"], self.folder / "serve.log",
                                 env=self.env),
            ready, 20, "arret serve to answer",
        )  # fmt: skip

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            assert self.process.popen.returncode == 0, self.process.output()

    def serial(self) -> int:
        answer = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1",
                               port=self.port, timeout=0.5)  # fmt: skip
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    f = Feed(tmp_path)
    f.arret("init")
    f.arret("operator", "add", "orange", "--allow-from", "127.0.0.0/8")
    f.arret("order", "add", "--reference", "R", "--authority", "court", "--decided",
            "2026-11-01", "--duration", "30d", "--operator", "orange", "leak.example")  # fmt: skip
    f.start()
    yield f
    f.stop()


def test_garbage_never_takes_the_server_down(feed: Feed) -> None:
    rng = random.Random(1)
    before = feed.serial()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(1)
        junk = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff"
        udp.sendto(junk, ("127.0.0.1", feed.port))
        reply = udp.recv(512)
        assert reply[:2] == b"\x12\x34" and reply[3] & 0x0F == dns.rcode.FORMERR
        for _ in range(300):
            udp.sendto(rng.randbytes(rng.randint(0, 300)), ("127.0.0.1", feed.port))
    for payload in (b"\x00", b"\xff\xff" + b"x" * 10, struct.pack("!H", 40) + rng.randbytes(40)):
        with socket.create_connection(("127.0.0.1", feed.port), timeout=2) as tcp:
            tcp.sendall(payload)
    # A flood can overflow the socket's receive buffer, so a query sent right after it may
    # be dropped by the kernel (resolvers retry): ask again until answered.
    wait_until(lambda: feed.serial() == before, 10, "an answer after the garbage")
    assert feed.process is not None and feed.process.popen.poll() is None


def test_the_serial_keeps_increasing_across_a_restart(feed: Feed) -> None:
    first = feed.serial()
    feed.stop()
    feed.arret("order", "amend", "1", "--add", "mirror.example")
    feed.start()
    second = feed.serial()
    assert second > first
    zone = dns.query.xfr("127.0.0.1", ZONE, port=feed.port)
    names = {rrset.name.to_text() for message in zone for rrset in message.answer}
    assert "mirror.example" in names  # names are relative to the zone
