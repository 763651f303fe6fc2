"""One publisher among several instances on one PostgreSQL: two `arret serve` share a
database; exactly one publishes (`arret_publisher` 1 in its `/metrics`, 0 in the
other's), and only it NOTIFYs a resolver of a new serial, while both serve that serial.
When the publisher is killed (kill -9), the other takes over within a few seconds: it
says so in `/metrics`, and publishes an order's start that falls after the kill, with
its NOTIFY. On SQLite the single instance always publishes.

The resolver here is a UDP socket that answers NOTIFY as a secondary does and notes
each one (the serial announced); it never transfers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.message
import dns.opcode
import dns.query
import dns.rdatatype
import dns.zone
import pytest
from sqlalchemy.engine import make_url
from support.authority import free_port
from support.postgres import PostgresServer
from support.processes import Process, wait_until

from arret.store import lease

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "unb.rpz.arret."
#: From the publisher's kill to the other instance publishing (measured here: 1-2 s; the
#: role is checked every second).
TAKEOVER = 10.0
#: Seconds from an order's registration to its start, the publisher killed in between.
START_AFTER = 8.0


class Listener:
    """A resolver's NOTIFY port: answers each NOTIFY and notes the serial it announced."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.notified: list[tuple[int, tuple[str, int]]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                data, source = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            message = dns.message.from_wire(data)
            if message.opcode() != dns.opcode.NOTIFY:
                continue
            serial = next((int(r[0].serial) for r in message.answer
                           if r.rdtype == dns.rdatatype.SOA), -1)  # fmt: skip
            self.notified.append((serial, source))
            self.sock.sendto(dns.message.make_response(message).to_wire(), source)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


class Instance:
    def __init__(self, folder: Path, env: dict[str, str], number: int) -> None:
        self.dns, self.http = free_port(), free_port()
        self.process = Process([ARRET, "serve", "--dns", f"127.0.0.1:{self.dns}", "--http",
                                f"127.0.0.1:{self.http}", "--probe-every", "off", "-v"],
                               folder / f"serve-{number}.log", env=env)  # fmt: skip
        wait_until(lambda: self.metric("arret_publisher") is not None, 30,
                   f"instance {number} to answer")  # fmt: skip

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/metrics", timeout=5) as r:
            return str(r.read().decode())

    def metric(self, name: str, labels: str = "") -> float | None:
        found = re.search(rf"^{name}{re.escape(labels)} (\S+)$", self.metrics(), re.M)
        return float(found.group(1)) if found else None

    def serial(self) -> int:
        answer = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=self.dns,
                               timeout=1)  # fmt: skip
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


def names(port: int) -> set[str]:
    transfer = dns.query.xfr("127.0.0.1", ZONE, port=port, timeout=5, relativize=False)
    return {str(n) for n in dns.zone.from_xfr(transfer, relativize=False).nodes}


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def lab(folder: Path, url: str, listener: Listener) -> dict[str, str]:
    env = {**os.environ, "ARRET_DB": url, "ARRET_LOG_KEY": str(folder / "log.key")}
    arret(env, "init")
    arret(env, "operator", "add", "unb", "--allow-from", "127.0.0.0/8", "--notify",
          f"127.0.0.1:{listener.port}")  # fmt: skip
    return env


def arret(env: dict[str, str], *args: str) -> str:
    run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
    assert run.returncode == 0, (args, run.stdout, run.stderr)
    return run.stdout


ORDER = ["order", "add", "--authority", "TJ Paris", "--decided", "2026-11-01", "--duration",
         "30d", "--operator", "unb"]  # fmt: skip


@pytest.mark.postgres
def test_one_instance_publishes_and_the_other_takes_over(
    tmp_path: Path, pg_cluster: PostgresServer, listener: Listener
) -> None:
    env = lab(tmp_path, pg_cluster.create_database(), listener)
    first = Instance(tmp_path, env, 1)
    second = Instance(tmp_path, env, 2)
    try:
        wait_until(lambda: first.metric("arret_publisher") == 1, 10, "the first to publish")
        assert second.metric("arret_publisher") == 0
        # A change written by the CLI: both serve it; only the publisher announces it.
        arret(env, *ORDER, "--reference", "R1", "one.example")
        wait_until(lambda: first.serial() == second.serial() and
                   any(s == first.serial() for s, _ in listener.notified), 10,
                   "both instances to serve the new serial, and its NOTIFY")  # fmt: skip
        time.sleep(1.5)  # time for the follower's NOTIFY, were it to send one
        # (The publisher re-sends each NOTIFY until a transfer follows, from a new socket
        # each time: the counts of each instance tell who sent.)
        assert (first.metric("arret_notify_sent_total", '{operator="unb"}') or 0) >= 1
        assert not second.metric("arret_notify_sent_total", '{operator="unb"}')
        assert not second.metric("arret_notify_resent_total", '{operator="unb"}')
        assert second.metric("arret_feed_lag_seconds", '{operator="unb"}') == 0

        # An order whose start falls after the publisher's death: the survivor publishes it.
        starts = datetime.now(UTC) + timedelta(seconds=START_AFTER)
        arret(env, *ORDER, "--reference", "R2", "--effective",
              starts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "later.example")  # fmt: skip
        first.process.popen.send_signal(signal.SIGKILL)
        first.process.popen.wait(10)
        killed = time.monotonic()
        assert datetime.now(UTC) < starts, "too slow a machine: the start came before the kill"
        assert "later.example." + ZONE not in names(second.dns)
        took = wait_until(lambda: second.metric("arret_publisher") == 1, TAKEOVER,
                          "the survivor to take over")  # fmt: skip
        wait_until(lambda: "later.example." + ZONE in names(second.dns),
                   START_AFTER + TAKEOVER, "the survivor to publish the start")  # fmt: skip
        assert datetime.now(UTC) >= starts
        late = (datetime.now(UTC) - starts).total_seconds()
        wait_until(lambda: any(s == second.serial() for s, _ in listener.notified), 5,
                   "the survivor's NOTIFY")  # fmt: skip
        print(f"\ntakeover {took:.2f} s after kill -9; the start published {late:.2f} s "
              f"after its instant ({time.monotonic() - killed:.2f} s after the kill)")  # fmt: skip
        assert "now publishes" in second.process.output()
        assert "Traceback" not in second.process.output()
    finally:
        first.process.stop()
        second.process.stop()


def lock_holders(server: PostgresServer, url: str) -> list[int]:
    """The backends holding the publisher lock in the database of `url`."""
    with server.connect_admin() as conn:
        rows = conn.execute(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s"
            " AND l.objsubid = 1 AND d.datname = %s",
            (lease.KEY, make_url(url).database),
        ).fetchall()
    return [int(pid) for (pid,) in rows]


@pytest.mark.postgres
def test_a_publisher_whose_session_ends_gives_way(
    tmp_path: Path, pg_cluster: PostgresServer, listener: Listener
) -> None:
    """The publisher's lock session ended by the server (as when PostgreSQL notices a
    link gone dead, or an administrator ends it) while the process lives on: the publisher
    stops publishing at its next check, the other instance takes over and publishes the
    next due instant, and the first, which asks again only after a hold-off, follows."""
    url = pg_cluster.create_database()
    env = lab(tmp_path, url, listener)
    first = Instance(tmp_path, env, 1)
    second = Instance(tmp_path, env, 2)
    try:
        wait_until(lambda: first.metric("arret_publisher") == 1, 10, "the first to publish")
        starts = datetime.now(UTC) + timedelta(seconds=START_AFTER)
        arret(env, *ORDER, "--reference", "R1", "--effective",
              starts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "later.example")  # fmt: skip
        (ended,) = lock_holders(pg_cluster, url)
        with pg_cluster.connect_admin() as conn:
            assert conn.execute("SELECT pg_terminate_backend(%s)", (ended,)).fetchone() == (True,)
        took = wait_until(lambda: second.metric("arret_publisher") == 1 and
                          first.metric("arret_publisher") == 0, TAKEOVER,
                          "the other instance to take over, and the first to follow")  # fmt: skip
        assert datetime.now(UTC) < starts, "too slow a machine: the start came before takeover"
        (holder,) = lock_holders(pg_cluster, url)
        assert holder != ended
        wait_until(lambda: "later.example." + ZONE in names(second.dns), START_AFTER + TAKEOVER,
                   "the new publisher to publish the start")  # fmt: skip
        wait_until(lambda: first.serial() == second.serial(), 5, "the first to follow")
        # The hold-off is long past: the first asked again, and was refused.
        assert first.metric("arret_publisher") == 0 and second.metric("arret_publisher") == 1
        assert lock_holders(pg_cluster, url) == [holder]
        print(f"\ntakeover {took:.2f} s after the publisher's session was ended")
        assert "no longer publishes" in first.process.output()
        assert "now publishes" in second.process.output()
        for instance in (first, second):
            assert "Traceback" not in instance.process.output()
    finally:
        first.process.stop()
        second.process.stop()


def test_a_single_instance_on_sqlite_publishes(tmp_path: Path, listener: Listener) -> None:
    env = lab(tmp_path, f"sqlite:///{tmp_path / 'arret.db'}", listener)
    only = Instance(tmp_path, env, 1)
    try:
        assert only.metric("arret_publisher") == 1
        arret(env, *ORDER, "--reference", "R1", "one.example")
        wait_until(lambda: any(s == only.serial() for s, _ in listener.notified), 10,
                   "the NOTIFY of the new serial")  # fmt: skip
        assert only.metric("arret_feed_lag_seconds", '{operator="unb"}') == 0
    finally:
        only.process.stop()
