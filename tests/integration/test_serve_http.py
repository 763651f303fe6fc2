"""`arret serve` as one real process: the feed and the HTTP side together — metrics that
count the transfers actually served, an API write reaching the feed at once, a clean
stop on SIGTERM, and clear refusals of bad settings."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.zone
import pytest
from support.authority import free_port
from support.processes import Process, start_on_free_ports, wait_until

ARRET = str(Path(sys.executable).parent / "arret")


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
        self.arret("demo", "--no-tokens", "--no-moving")
        self.token = self.arret("token", "create", "--role", "authority").split()[-1]

        def ready(ports: tuple[int, ...]) -> bool:
            self.dns, self.http = ports
            return self.get("/healthz")[0] == 200

        self.process, (self.dns, self.http) = start_on_free_ports(
            2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                                  f"127.0.0.1:{p[1]}"], folder / "serve.log", env=self.env),
            ready, 20, "the HTTP side to answer",
        )  # fmt: skip

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stderr)
        return run.stdout

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http}{path}", data, method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str, **headers: str) -> tuple[int, str]:
        return self.request("GET", path, headers=headers)

    def serial(self, zone: str) -> int:
        answer = dns.query.udp(dns.message.make_query(zone, "SOA"), "127.0.0.1",
                               port=self.dns, timeout=1)  # fmt: skip
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path)
    yield s
    s.process.stop()


def test_metrics_count_the_transfers_served_and_the_operator_sees_its_last(server: Server) -> None:
    zone = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "orange.rpz.arret.", port=server.dns))
    assert zone.origin is not None
    status, metrics = server.get("/metrics")
    assert status == 200
    assert 'arret_feed_transfers_total{kind="axfr",operator="orange"} 1.0' in metrics
    assert 'arret_feed_last_transfer_timestamp_seconds{operator="orange"}' in metrics
    transfers = [m for m in metrics.splitlines() if m.startswith("arret_feed_transfers_total")]
    assert transfers and not [m for m in transfers if 'operator="sfr"' in m]
    bearer = {"Authorization": f"Bearer {server.token}"}
    status, body = server.get("/api/operators/orange/feed", **bearer)
    assert status == 200
    last = json.loads(body)["last_transfer"]
    assert last["kind"] == "axfr" and last["serial"] == server.serial("orange.rpz.arret.")


def test_an_order_registered_through_the_api_is_in_the_feed_at_once(server: Server) -> None:
    before = server.serial("orange.rpz.arret.")
    order = {
        "reference": "RG 26/1", "authority": "court", "decided_on": "2026-11-01",
        "duration": "30d", "operators": ["orange"], "targets": [{"name": "fresh.example"}],
    }  # fmt: skip
    started = time.monotonic()
    status, body = server.request("POST", "/api/orders", order,
                                  {"Authorization": f"Bearer {server.token}"})  # fmt: skip
    assert status == 201, body
    wait_until(lambda: server.serial("orange.rpz.arret.") != before, 2, "the new serial")
    assert time.monotonic() - started < 2
    assert server.serial("sfr.rpz.arret.") != 0  # untouched but served


def test_sigterm_stops_both_sides_cleanly_and_no_visitor_is_logged(server: Server) -> None:
    status, page = server.get("/notice?name=dossiers-labos.example",
                              **{"X-Forwarded-For": "203.0.113.77"})  # fmt: skip
    assert status == 200 and "dossiers-labos.example" in page
    server.process.stop()
    assert server.process.popen.returncode == 0
    log = server.process.output()
    assert "arret: stopped" in log
    assert "203.0.113.77" not in log and "notice?name" not in log
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.http)) != 0  # nothing listens any more


def test_bad_http_settings_are_refused_with_a_reason(tmp_path: Path) -> None:
    env = {**os.environ, "ARRET_DB": f"sqlite:///{tmp_path / 'arret.db'}"}
    subprocess.run(
        [ARRET, "demo", "--no-tokens", "--no-moving"], env=env, check=True, capture_output=True
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = subprocess.run(
            [ARRET, "serve", "--dns", f"127.0.0.1:{free_port()}", "--http", f"127.0.0.1:{port}"],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert run.returncode != 0 and f"cannot listen for HTTP on 127.0.0.1 port {port}" in run.stderr
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        run = subprocess.run(
            [ARRET, "serve", "--dns", f"127.0.0.1:{port}", "--http", f"127.0.0.1:{free_port()}"],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"cannot listen for DNS on 127.0.0.1 port {port}" in run.stderr
    weak = tmp_path / "secret"
    weak.write_text("changeme\n")
    run = subprocess.run(
        [ARRET, "serve", "--dns", f"127.0.0.1:{free_port()}", "--http",
         f"127.0.0.1:{free_port()}", "--session-secret-file", str(weak)],
        env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert run.returncode != 0 and "session secret" in run.stderr
    run = subprocess.run([ARRET, "serve", "--http", "localhost"], env=env, capture_output=True,
                         text=True, timeout=30)  # fmt: skip
    assert run.returncode != 0 and "localhost" in run.stderr
