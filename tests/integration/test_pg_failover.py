"""A PostgreSQL failover under load: a primary and a synchronous streaming standby
(throwaway clusters on loopback), `arret serve` given both hosts in one URL with
`target_session_attrs=read-write`. Orders are registered through the API without pause;
the primary is crashed (`pg_ctl -m immediate`) and the standby promoted, as a failover
manager would. Checked: `arret serve` never exits and answers every request (201, or 503
while there is no writable server — never a 500); it writes again through the promoted
server without a restart; no order it acknowledged (201) is missing afterwards; it
publishes again (the last order reaches the feed); the log still verifies.

`synchronous_commit = on` with `synchronous_standby_names = '*'` is what makes "nothing
acknowledged is lost" hold: a commit returns only once the standby has it
(docs/deployment.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.query
import dns.zone
import psycopg
import pytest
from support.authority import free_port
from support.postgres import SUPERUSER, Cluster, Standby, ensure_installed, is_root
from support.processes import Process, wait_until

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "unb.rpz.arret."
SYNCHRONOUS = ["synchronous_commit=on", "wal_level=replica", "max_wal_senders=4"]

pytestmark = pytest.mark.postgres


@pytest.fixture
def pair() -> Iterator[tuple[Cluster, Standby]]:
    try:
        binaries = ensure_installed()
    except Exception as exc:  # not root and no PostgreSQL: as the other PG tests do
        if is_root():
            raise
        pytest.skip(str(exc))
    primary = Cluster(binaries, SYNCHRONOUS).start()
    standby: Standby | None = None
    try:
        standby = Standby(primary).start()
        with psycopg.connect(primary.url("postgres").replace("+psycopg", ""),
                             autocommit=True) as conn:  # fmt: skip
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            conn.execute("SELECT pg_reload_conf()")
        wait_until(lambda: _sync_state(primary) == "sync", 30, "the standby to be synchronous")
        yield primary, standby
    finally:
        if standby is not None:
            standby.stop()
        primary.stop()


def _sync_state(primary: Cluster) -> str | None:
    with psycopg.connect(primary.url("postgres").replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT sync_state FROM pg_stat_replication").fetchone()
    return None if row is None else str(row[0])


class Load:
    """Registers one order after another through the API, noting each answer."""

    def __init__(self, http: int, token: str) -> None:
        self.http, self.token = http, token
        self.answers: list[tuple[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def post(self, number: int) -> int:
        body = json.dumps({
            "reference": f"F-{number}", "authority": "court", "decided_on": "2026-11-30",
            "duration": "30d", "operators": ["unb"], "targets": [{"name": f"n{number}.example"}],
        }).encode()  # fmt: skip
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http}/api/orders", body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            self.answers.append((f"F-{number}", self.post(number)))
            time.sleep(0.1)

    def acknowledged(self) -> list[str]:
        return [reference for reference, status in self.answers if status == 201]


def test_a_promoted_standby_takes_over_and_nothing_acknowledged_is_lost(
    pair: tuple[Cluster, Standby], tmp_path: Path
) -> None:
    primary, standby = pair
    name = primary.create_database().rsplit("/", 1)[1]
    url = (f"postgresql+psycopg://{SUPERUSER}@/{name}?host=127.0.0.1:{primary.port}"
           f"&host=127.0.0.1:{standby.port}&target_session_attrs=read-write")  # fmt: skip
    env = {**os.environ, "ARRET_DB": url, "ARRET_LOG_KEY": str(tmp_path / "log.key")}

    def arret(*args: str) -> str:
        run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    arret("init")
    arret("operator", "add", "unb", "--allow-from", "127.0.0.0/8")
    token = arret("token", "create", "--role", "authority").split()[-1]
    dns_port, http = free_port(), free_port()
    serve = Process([ARRET, "--lock-wait", "2", "serve", "--dns", f"127.0.0.1:{dns_port}",
                     "--http", f"127.0.0.1:{http}", "--probe-every", "off"],
                    tmp_path / "serve.log", env=env)  # fmt: skip
    load = Load(http, token)
    try:
        wait_until(lambda: _status(http, "/healthz") == 200, 30, "arret serve to answer")
        load.thread.start()
        wait_until(lambda: len(load.acknowledged()) >= 5, 60, "orders before the failover")
        primary.crash()
        crashed = time.monotonic()
        time.sleep(1.0)  # a failover manager's detection delay
        standby.promote()
        before = len(load.acknowledged())
        wait_until(lambda: len(load.acknowledged()) >= before + 5, 90,
                   "orders through the promoted server")  # fmt: skip
        writable_again = time.monotonic() - crashed
    finally:
        load.stop.set()
        if load.thread.is_alive():
            load.thread.join(60)
    try:
        assert serve.popen.poll() is None, serve.output()[-3000:]
        statuses = {status for _, status in load.answers}
        assert statuses <= {201, 503}, (statuses, serve.output()[-3000:])
        with psycopg.connect(standby.url(name).replace("+psycopg", "")) as conn:
            stored = {row[0] for row in conn.execute("SELECT reference FROM orders")}
        lost = [r for r in load.acknowledged() if r not in stored]
        assert not lost, lost
        last = load.acknowledged()[-1].removeprefix("F-")
        wait_until(lambda: f"n{last}.example" in _zone_names(dns_port), 30,
                   "the last order in the feed")  # fmt: skip
        arret("log", "verify")
        refused = sum(1 for _, status in load.answers if status == 503)
        print(f"\nfailover: writable again {writable_again:.1f} s after the crash; "
              f"{len(load.acknowledged())} acknowledged, {refused} answered 503")  # fmt: skip
        assert "Traceback" not in serve.output()
    finally:
        serve.stop()


def _status(http: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http}{path}", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _zone_names(port: int) -> set[str]:
    zone: Any = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", ZONE, port=port, timeout=5))
    return {str(n) for n in zone.nodes}
