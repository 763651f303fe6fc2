"""`arret serve` survives its database: while another writer holds the write lock for
30 s (SQLite's lock, or a row lock of another PostgreSQL session, as a long registration
does), the real server keeps answering DNS and HTTP, refuses writes with 503 and
`Retry-After`, says in its log and `/metrics` that publication is behind, and publishes
the instant that came meanwhile as soon as the lock is released. The CLI reports a busy
database, and a full disk, in one line with its own exit status.

Before this, the scheduler's `database is locked` ended the whole process."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.zone
import psycopg
import pytest
from sqlalchemy.engine import make_url
from support.authority import free_port
from support.processes import Process, wait_until

ARRET = str(Path(sys.executable).parent / "arret")
HOLD = 30.0  # seconds the lock is held, as a long write would
LOCK_WAIT = "1"  # the server's --lock-wait, so that failed attempts repeat in the test


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Server:
    def __init__(self, folder: Path, url: str) -> None:
        self.url = url
        self.env = {**os.environ, "ARRET_DB": url}
        self.arret("demo", "--no-tokens", "--no-moving", cwd=folder)
        self.token = self.arret("token", "create", "--role", "authority").split()[-1]
        self.dns, self.http = free_port(), free_port()
        self.process = Process(
            [ARRET, "--lock-wait", LOCK_WAIT, "serve", "--dns", f"127.0.0.1:{self.dns}",
             "--http", f"127.0.0.1:{self.http}", "--probe-every", "off"],
            folder / "serve.log", env=self.env,
        )  # fmt: skip
        wait_until(lambda: self.get("/healthz")[0] == 200, 20, "the HTTP side to answer")

    def arret(self, *args: str, cwd: Path | None = None) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True,
                             cwd=cwd)  # fmt: skip
        assert run.returncode == 0, (args, run.stderr)
        return run.stdout

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http}{path}", data, method=method,
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.token}"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def get(self, path: str) -> tuple[int, str]:
        status, body, _ = self.request("GET", path)
        return status, body

    def serial(self, zone: str = "orange.rpz.arret.") -> int:
        answer = dns.query.udp(dns.message.make_query(zone, "SOA"), "127.0.0.1",
                               port=self.dns, timeout=2)  # fmt: skip
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]

    def metric(self, name: str) -> float | None:
        _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None


@contextlib.contextmanager
def sqlite_write_lock(url: str) -> Iterator[None]:
    """Another process's writer holding SQLite's write lock (BEGIN IMMEDIATE)."""
    path = make_url(url).database
    assert path is not None
    holder = sqlite3.connect(path, timeout=30, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.contextmanager
def postgres_row_lock(url: str) -> Iterator[None]:
    """Another session holding the log's row lock, as a registration does while it writes."""
    parsed = make_url(url).set(drivername="postgresql")
    holder = psycopg.connect(parsed.render_as_string(hide_password=False))
    holder.execute("SELECT * FROM log_state FOR UPDATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def zone_names(server: Server) -> set[str]:
    """The owners of orange's zone served now, relative to its origin (AXFR over TCP)."""
    xfr = dns.query.xfr("127.0.0.1", "orange.rpz.arret.", port=server.dns, lifetime=10)
    zone = dns.zone.from_xfr(xfr)
    return {n.to_text() for n in zone.nodes}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path, database_url)
    yield s
    s.process.stop()


def test_a_lock_held_30_s_does_not_stop_serve_and_the_due_instant_follows_it(
    server: Server, database_url: str, tmp_path: Path
) -> None:
    # An order that takes effect while the lock is held: its instant is owed meanwhile.
    # 12 s: time for the registration and the lock on a loaded machine (at 6 s, a slow
    # registration let the instant pass, and be published, before the lock was taken).
    effective = datetime.now(UTC) + timedelta(seconds=12)
    server.arret("order", "add", "--yes", "--reference", "RG 26/30", "--authority", "court",
                 "--decided", "2026-11-30", "--effective", iso(effective), "--duration", "30d",
                 "--operator", "orange", "pending.example")  # fmt: skip
    before = server.serial()
    assert "pending.example" not in zone_names(server)
    hold = sqlite_write_lock if database_url.startswith("sqlite") else postgres_row_lock
    with hold(database_url):
        locked_at = time.monotonic()
        assert datetime.now(UTC) < effective, "the instant came before the lock was taken"
        # A clerk's second writer: one line, its own exit status, nothing changed.
        run = subprocess.run(
            [ARRET, "--lock-wait", "1", "order", "add", "--yes", "--reference", "RG 26/31",
             "--authority", "court", "--decided", "2026-11-30", "--duration", "30d",
             "--operator", "orange", "second.example"],
            env=server.env, capture_output=True, text=True,
        )  # fmt: skip
        assert run.returncode == 7, run.stderr
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert "database is busy" in run.stderr
        # An HTTP write: 503 with Retry-After and the one error shape, not a 500.
        status, body, headers = server.request("POST", "/api/orders?confirm=true", {
            "reference": "RG 26/32", "authority": "court", "decided_on": "2026-11-30",
            "duration": "30d", "operators": ["orange"], "targets": [{"name": "api.example"}],
        })  # fmt: skip
        assert status == 503, body
        assert json.loads(body)["error"]["code"] == "database_busy"
        assert int(headers["Retry-After"]) > 0
        rounds = 0
        while time.monotonic() - locked_at < HOLD:
            # Everything that only reads keeps working from memory and the database.
            assert server.serial() == before
            assert server.get("/register")[0] == 200
            assert "pending.example" not in zone_names(server)
            rounds += 1
            time.sleep(1)
        assert rounds >= 10
        assert server.process.popen.poll() is None, server.process.output()
        assert datetime.now(UTC) > effective  # the instant came while the lock was held
        assert server.metric("arret_publication_failing") == 1
        assert server.metric("arret_publication_pending_instants") == 1
        assert (server.metric("arret_publication_failures_total") or 0) >= 3
    released = time.monotonic()
    wait_until(lambda: server.serial() != before, 15, "the owed instant to be published")
    took = time.monotonic() - released
    assert "pending.example" in zone_names(server)
    assert server.metric("arret_publication_failing") == 0
    assert server.metric("arret_publication_pending_instants") == 0
    # The copies of SQLite's log into the database went on (a writer's lock is no bar).
    assert server.metric("arret_checkpoint_failing") == 0
    log = server.process.output()
    assert "publication failed" in log and "publication works again" in log
    assert "Traceback" not in log
    # Backoff is capped at 5 s and each attempt waits 1 s for the lock.
    assert took < 8, took
    # And writes work again.
    status, body, _ = server.request("POST", "/api/orders?confirm=true", {
        "reference": "RG 26/33", "authority": "court", "decided_on": "2026-11-30",
        "duration": "30d", "operators": ["orange"], "targets": [{"name": "after.example"}],
    })  # fmt: skip
    assert status == 201, body


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


def test_a_full_disk_is_one_line_in_the_cli_and_a_503_in_the_api(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount_tmpfs(disk, "8M"):
        pytest.skip("a small disk needs root to mount a tmpfs")
    try:
        env = {**os.environ, "ARRET_DB": f"sqlite:///{disk / 'arret.db'}"}

        def arret(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)

        assert arret("demo", "--no-tokens", "--no-moving").returncode == 0
        token = arret("token", "create", "--role", "authority").stdout.split()[-1]
        names = tmp_path / "names.txt"
        names.write_text("".join(f"site-{i}.full.example\n" for i in range(40_000)))
        # Fill the disk: a file takes everything left but 512 KiB, so the database opens
        # and the registration's writes run out of room halfway.
        filler = disk / "filler"
        room = os.statvfs(disk)
        filler.write_bytes(b"\0" * (room.f_bavail * room.f_frsize - 512 * 1024))

        def references() -> list[str]:
            return [o["reference"] for o in json.loads(arret("order", "list", "--json").stdout)]

        before = references()
        run = arret("order", "add", "--yes", "--reference", "RG 26/40", "--authority", "court",
                    "--decided", "2026-11-30", "--duration", "30d", "--operator", "orange",
                    "--targets-file", str(names))  # fmt: skip
        assert run.returncode == 8, run.stderr
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert "disk is full" in run.stderr
        assert references() == before  # nothing changed
        # The API on the same full disk: 503 database_full with Retry-After.
        dns_port, http_port = free_port(), free_port()
        serve = Process(
            [ARRET, "serve", "--dns", f"127.0.0.1:{dns_port}", "--http",
             f"127.0.0.1:{http_port}", "--probe-every", "off"],
            tmp_path / "serve.log", env=env,
        )  # fmt: skip
        try:

            def healthz() -> bool:
                with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz") as r:
                    return bool(r.status == 200)

            wait_until(healthz, 20, "the HTTP side to answer")
            body = json.dumps({
                "reference": "RG 26/41", "authority": "court", "decided_on": "2026-11-30",
                "duration": "30d", "operators": ["orange"],
                "targets": [{"name": f"x{i}.full.example"} for i in range(20_000)],
            }).encode()  # fmt: skip
            request = urllib.request.Request(
                f"http://127.0.0.1:{http_port}/api/orders?confirm=true", body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )  # fmt: skip
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(request, timeout=60)
            assert error.value.code == 503
            assert json.loads(error.value.read())["error"]["code"] == "database_full"
            assert error.value.headers["Retry-After"]
            assert serve.popen.poll() is None
            # Room again: the next write goes through, the server never stopped.
            filler.unlink()
            request = urllib.request.Request(
                f"http://127.0.0.1:{http_port}/api/orders", json.dumps({
                    "reference": "RG 26/42", "authority": "court", "decided_on": "2026-11-30",
                    "duration": "30d", "operators": ["orange"],
                    "targets": [{"name": "room.full.example"}]}).encode(),
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 201
        finally:
            serve.stop()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.postgres
def test_lost_postgresql_connections_are_replaced_and_serve_goes_on(
    pg_cluster: Any, tmp_path: Path
) -> None:
    """Every connection of `arret serve` cut by the server (as a restart or a failover
    does): it keeps answering DNS from memory and reconnects for the next change."""
    server = Server(tmp_path, pg_cluster.create_database())
    try:
        before = server.serial()
        parsed = make_url(server.url).set(drivername="postgresql")
        with psycopg.connect(parsed.render_as_string(hide_password=False),
                             autocommit=True) as admin:  # fmt: skip
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert cut is not None and cut[0] >= 1
        assert server.serial() == before  # from memory
        server.arret("order", "add", "--yes", "--reference", "RG 26/50", "--authority", "court",
                     "--decided", "2026-11-30", "--duration", "30d", "--operator", "orange",
                     "reconnected.example")  # fmt: skip
        wait_until(lambda: server.serial() != before, 10, "the change after reconnecting")
        assert server.get("/register")[0] == 200
        assert server.process.popen.poll() is None
        assert "Traceback" not in server.process.output()
    finally:
        server.process.stop()
