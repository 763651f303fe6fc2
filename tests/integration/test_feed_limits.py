"""What one DNS client can hold of the feed server is bounded: connections per source
and in all, a message that never arrives whole, a client that never reads its answers
(before, it kept its connection and megabytes of queued answers forever), and UDP
queries waiting for a worker. The full-transfer cache is bounded by bytes."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest
from support.livefeed import LiveFeed
from support.processes import wait_until

from arret.domain.instants import SystemClock
from arret.feed import render, transport
from arret.feed.transport import TcpLimits
from arret.rpz.zone import Delta, FeedSettings, ZoneEntries

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "orange.rpz.arret."
NAMES = 20_000


class Live(LiveFeed):
    """A feed server in this process, on a loopback port, with small limits."""

    def __init__(self, url: str, limits: TcpLimits) -> None:
        super().__init__(url, SystemClock(), limits)
        self.tick()

    def connect(self, rcvbuf: int | None = None) -> socket.socket:
        sock = socket.socket()
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(5)
        sock.connect(("127.0.0.1", self.port))
        return sock


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{folder / 'arret.db'}"
    env = {**os.environ, "ARRET_DB": url}
    names = folder / "names.txt"
    names.write_text("".join(f"site-{i}.limits.example\n" for i in range(NAMES)))
    for args in (
        ["init"],
        ["operator", "add", "orange", "--allow-from", "127.0.0.0/8"],
        ["order", "add", "--yes", "--reference", "R", "--authority", "court", "--decided",
         "2026-11-01", "--duration", "30d", "--operator", "orange", "--targets-file",
         str(names)],
    ):  # fmt: skip
        run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    return url


@pytest.fixture
def live(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    monkeypatch.setattr(transport, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(transport, "WRITE_TIMEOUT", 1.0)
    feed = Live(database, TcpLimits(total=6, per_source=3))
    yield feed
    feed.close()


def framed(query: dns.message.Message) -> bytes:
    wire = query.to_wire()
    return struct.pack("!H", len(wire)) + wire


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def soa_over_tcp(port: int) -> int:
    answer = dns.query.tcp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port,
                           timeout=5)  # fmt: skip
    return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


def test_connections_over_the_per_source_limit_are_closed_and_room_comes_back(
    live: Live,
) -> None:
    held = [live.connect() for _ in range(3)]
    wait_until(lambda: live.server.tcp_connections == 3, 5, "three connections held")
    extra = live.connect()
    assert closed_by_server(extra)
    assert live.server.transport.stats.tcp_rejected == 1
    held.pop().close()
    wait_until(lambda: live.server.tcp_connections == 2, 5, "a connection to be let go")
    assert soa_over_tcp(live.port) > 0  # a place is free again: answered
    for sock in [*held, extra]:
        sock.close()


def test_a_message_that_never_arrives_whole_is_cut_off(live: Live) -> None:
    with live.connect() as sock:
        sock.sendall(struct.pack("!H", 100) + b"\x00" * 10)  # 10 of the 100 octets, then silence
        started = time.monotonic()
        assert closed_by_server(sock)
        assert time.monotonic() - started < 4
    wait_until(lambda: live.server.tcp_connections == 0, 5, "the connection to be let go")


def test_a_client_that_pipelines_and_never_reads_is_disconnected(live: Live) -> None:
    # Each AXFR answer is about 600 KB; 40 of them pipelined would be 24 MB queued if the
    # server kept writing to a client that does not read.
    sock = live.connect(rcvbuf=4096)
    axfr = framed(dns.message.make_query(ZONE, "AXFR"))
    sock.sendall(axfr * 40)
    wait_until(lambda: live.server.transport.stats.tcp_timeouts == 1, 10, "the write timeout")
    wait_until(lambda: live.server.tcp_connections == 0, 5, "the connection to be let go")
    sock.close()
    assert soa_over_tcp(live.port) > 0  # and the server serves others


def test_udp_queries_beyond_the_waiting_bound_are_dropped(live: Live) -> None:
    udp = transport._Udp(live.server.transport)
    udp.pending = {object() for _ in range(transport.UDP_PENDING)}  # type: ignore[misc]
    udp.datagram_received(b"\x00" * 20, ("127.0.0.1", 5))
    assert live.server.transport.stats.udp_dropped == 1


def test_the_transfer_cache_is_bounded_by_bytes_and_keeps_one_copy_of_each_chunk() -> None:
    """Thirty rounds of "amend, then AXFR" keep one copy of the zone's records plus the
    chunks the amendments changed, not thirty zones (the cache once kept up to 64 rendered
    zones: 351 MiB to 1.74 GiB); the rest is in tests/unit/feed/test_render_chunks.py."""
    parts = render.Parts.of(FeedSettings())
    zone = ZoneEntries([(f"site-{i:05}.cache.example", "nxdomain") for i in range(20_000)])

    def full(cache: render.RenderCache, entries: ZoneEntries, serial: int) -> int:
        return sum(len(body) for _, body in cache.full_zone("a.", serial, entries, parts, 65000))

    one = full(render.RenderCache(), zone, 1)
    cache = render.RenderCache(budget=int(one * 2.5))
    for serial in range(1, 31):  # amend, then AXFR, thirty times
        zone = zone.apply(Delta((), ((f"new-{serial:02}.cache.example", "nxdomain"),)))
        full(cache, zone, serial)
        cache.retain([zone])  # what the feed does once the new version is served
    assert one < cache.size < 1.5 * one  # one copy (and its index of record ends)
    small = render.RenderCache(budget=one // 4)
    assert full(small, zone, 31) == full(cache, zone, 31)  # served whole, kept in part
    assert 0 < small.size <= small.budget
