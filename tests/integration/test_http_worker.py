"""`arret serve` answers HTTP in a worker process (`arret.workers`): a worker that dies is
replaced while DNS keeps answering and no connection is refused; a worker outlives
neither a SIGTERM nor a kill -9 of the main process; and what crosses between them (the
feed's metrics, an operator's resolvers, "publish now" after a write) arrives."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import dns.query
import pytest
from support.processes import Process, children, rcode, start_on_free_ports, wait_until

ARRET = str(Path(sys.executable).parent / "arret")


class Serve:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(exist_ok=True)
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
                    "ARRET_LOG_KEY": str(folder / "log.key")}  # fmt: skip
        self.arret("demo", "--no-tokens", "--no-moving")
        self.token = self.arret("token", "create", "--role", "authority").split()[-1]

        def start(ports: tuple[int, ...]) -> Process:
            return Process([ARRET, "serve", "--dns", f"127.0.0.1:{ports[0]}", "--http",
                            f"127.0.0.1:{ports[1]}", "--probe-every", "off"],
                           folder / "serve.log", env=self.env)  # fmt: skip

        self.process, (self.dns, self.http) = start_on_free_ports(
            2, start, lambda ports: self.status_of(f"http://127.0.0.1:{ports[1]}/healthz") == 200,
            30, "arret serve",
        )  # fmt: skip

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stderr)
        return run.stdout

    @staticmethod
    def status_of(url: str) -> int:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return int(response.status)

    def read(self, path: str, token: str | None = None) -> str:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode())

    def workers(self) -> list[int]:
        return children(self.process.popen.pid)

    def metric(self, name: str) -> float:
        for line in self.read("/metrics").splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"no {name} in /metrics")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    s = Serve(tmp_path)
    yield s
    s.process.stop()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_worker_is_replaced_and_dns_never_stops(serve: Serve) -> None:
    [worker] = serve.workers()
    os.kill(worker, signal.SIGKILL)
    # DNS is the main process's: it answers while no worker runs.
    assert rcode(serve.dns, "orange.rpz.arret.", "SOA") == "NOERROR"
    # A request sent now waits in the socket's backlog for the next worker: not refused.
    started = time.monotonic()
    assert serve.status_of(f"http://127.0.0.1:{serve.http}/healthz") == 200
    assert time.monotonic() - started < 20
    [again] = serve.workers()
    assert again != worker
    assert serve.metric("arret_http_workers_ended_total") == 1
    assert serve.metric("arret_http_workers") == 1
    assert f"the HTTP worker (process {worker}) ended with status -9" in serve.process.output()


def test_what_the_worker_asks_of_the_feed_arrives(serve: Serve) -> None:
    # The feed's own metrics, from the main process.
    assert serve.metric("arret_publisher") == 1
    assert serve.metric("arret_publication_failing") == 0
    # A write through the API is published (the worker tells the feed to look now).
    zone = "orange.rpz.arret."

    def owners() -> set[str]:
        messages = dns.query.xfr("127.0.0.1", zone, port=serve.dns, timeout=10)
        return {str(rrset.name) for m in messages for rrset in m.answer}  # relative names

    assert "newleak.example" not in owners()
    body = json.dumps({"reference": "RG worker", "authority": "court",
                       "decided_on": "2026-11-01", "duration": "30d", "operators": ["orange"],
                       "targets": [{"name": "newleak.example"}]}).encode()  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{serve.http}/api/orders", body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {serve.token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
    wait_until(lambda: "newleak.example" in owners(), 5, "the order in the feed")
    # The operator's transfers, counted by the main process, seen through the worker.
    seen = json.loads(serve.read("/api/operators/orange/feed", serve.token))
    assert seen["transfers"].get("axfr", 0) >= 1
    assert seen["last_transfer"]["kind"] == "axfr"


def test_sigterm_stops_the_worker_and_kill_9_of_the_main_process_does_too(
    tmp_path: Path,
) -> None:
    first = Serve(tmp_path / "a")
    [worker] = first.workers()
    first.process.popen.send_signal(signal.SIGTERM)
    assert first.process.popen.wait(20) == 0
    wait_until(lambda: not alive(worker), 10, "the worker to stop with the main process")
    assert "arret: stopped" in first.process.output()
    first.process.stop()

    second = Serve(tmp_path / "b")
    [worker] = second.workers()
    second.process.popen.kill()
    second.process.popen.wait(10)
    wait_until(lambda: not alive(worker), 10, "the worker to stop after its main process")
    # The HTTP port is free again: a new `arret serve` can take it.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", second.http))
    second.process.stop()
