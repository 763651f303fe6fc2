"""`arret serve` as a real process, its NOTIFY targets scripted resolvers in this test
(sockets on loopback): a NOTIFY is sent only once the feed accepts on TCP, a resolver
that acknowledges without fetching is told again, and what each resolver fetched shows
in `/metrics`, the API and the operator page. Real secondaries are in
`tests/interop/test_restart_notify.py`."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rrset
import pytest
from support.authority import free_port
from support.processes import Process, start_on_free_ports, wait_until
from support.signed import open_engine

from arret.domain.instants import SystemClock
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.server import FeedServer
from arret.rpz.zone import FeedSettings
from arret.serving import open_feed

ARRET = str(Path(sys.executable).parent / "arret")
ZONE = "orange.rpz.arret."


class ScriptedResolver:
    """A UDP socket that acknowledges every NOTIFY and then, if `fetch`, transfers the
    zone over TCP from the feed at once, as Knot DNS, NSD and BIND do. Records each
    attempt's result."""

    def __init__(self, fetch: bool) -> None:
        self.fetch = fetch
        self.feed_port = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.notifies: list[float] = []
        self.fetches: list[str] = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            message = dns.message.from_wire(data)
            if message.opcode() != dns.opcode.NOTIFY:
                continue
            self.notifies.append(time.monotonic())
            self.sock.sendto(dns.message.make_response(message).to_wire(), peer)
            if self.fetch:
                self.fetches.append(self.axfr())

    def axfr(self) -> str:
        try:
            answer = dns.query.tcp(dns.message.make_query(ZONE, "AXFR"), "127.0.0.1",
                                   port=self.feed_port, timeout=2)  # fmt: skip
        except OSError as exc:
            return f"failed: {exc.__class__.__name__}"
        return f"serial {answer.answer[0][0].serial}"  # type: ignore[attr-defined]

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


class Serve:
    def __init__(self, folder: Path, resolvers: list[ScriptedResolver]) -> None:
        self.folder = folder
        self.resolvers = resolvers
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
        self.process: Process | None = None
        self.dns = self.http = 0

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stderr)
        return run.stdout

    def start(self, *extra: str) -> None:
        def on(ports: tuple[int, ...]) -> Process:
            for r in self.resolvers:
                r.feed_port = ports[0]
            return Process([ARRET, "serve", "--dns", f"127.0.0.1:{ports[0]}", "--http",
                            f"127.0.0.1:{ports[1]}", "--probe-every", "off", "-v", *extra],
                           self.folder / "serve.log", env=self.env)  # fmt: skip

        def ready(ports: tuple[int, ...]) -> bool:
            self.dns, self.http = ports
            return self.get("/healthz")[0] == 200

        self.process, _ = start_on_free_ports(2, on, ready, 20, "arret serve to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def get(self, path: str, token: str | None = None) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            return 0, ""

    def metric(self, name: str, **labels: str) -> float | None:
        text = self.get("/metrics")[1]
        wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
        found = re.search(rf"^{name}{{{re.escape(wanted)}}} (\S+)$", text, re.M)
        return float(found.group(1)) if found else None


@pytest.fixture
def resolvers() -> Iterator[list[ScriptedResolver]]:
    made = [ScriptedResolver(fetch=True), ScriptedResolver(fetch=False)]
    yield made
    for r in made:
        r.close()


def test_notify_waits_for_the_listeners_and_is_repeated_until_fetched(
    tmp_path: Path, resolvers: list[ScriptedResolver]
) -> None:
    fetching, silent = resolvers
    serve = Serve(tmp_path, resolvers)
    serve.arret("init")
    serve.arret("operator", "add", "orange", "--allow-from", "127.0.0.0/8",
                "--notify", f"127.0.0.1:{fetching.port}")  # fmt: skip
    serve.arret("operator", "add", "sfr", "--allow-from", "127.0.0.0/8",
                "--notify", f"127.0.0.1:{silent.port}")  # fmt: skip
    order = ["order", "add", "--authority", "court", "--decided", "2026-11-01",
             "--duration", "30d", "--operator", "orange", "--operator", "sfr"]  # fmt: skip
    serve.arret(*order, "--reference", "R1", "leak.example")
    try:
        # A new --notice-host changes every serial at start-up: the NOTIFYs go out in
        # the very first moments of the process, which is when they used to arrive
        # before the TCP listener accepted.
        serve.start("--notice-host", "stop.example")
        wait_until(lambda: bool(fetching.fetches), 10, "the first NOTIFY and its AXFR")
        assert fetching.fetches[0].startswith("serial "), fetching.fetches
        serial = int(fetching.fetches[0].split()[1])
        # The transfer is seen, and counts as delivery: no NOTIFY is sent again.
        wait_until(lambda: serve.metric("arret_notify_delivered_total", operator="orange")
                   == 1, 5, "the delivery to be counted")  # fmt: skip
        assert serve.metric("arret_resolver_serial", operator="orange",
                            resolver="127.0.0.1") == serial  # fmt: skip
        assert serve.metric("arret_resolver_serial_lag", operator="orange",
                            resolver="127.0.0.1") == 0  # fmt: skip
        # The silent one acknowledged and never fetched: told again after 1 s, 2 s …
        wait_until(lambda: len(silent.notifies) >= 3, 8, "NOTIFY re-sent to a resolver "
                   "that acknowledges without fetching")  # fmt: skip
        gaps = [b - a for a, b in zip(silent.notifies, silent.notifies[1:], strict=False)]
        # (The first gap includes asking it for the SOA, which it does not answer.)
        assert 0.8 < gaps[0] < 2.0 and 1.8 < gaps[1] < 2.8, gaps
        assert (serve.metric("arret_notify_resent_total", operator="sfr") or 0) >= 2
        assert serve.metric("arret_notify_pending", operator="sfr",
                            resolver="127.0.0.1") == 1  # fmt: skip
        assert len(fetching.notifies) == 1  # delivered at once: never re-sent

        token = serve.arret("token", "create", "--role", "auditor").split()[-1]
        status, body = serve.get("/api/operators/orange", token)
        assert status == 200, body
        [seen] = json.loads(body)["feed"]["resolvers"]
        assert (seen["address"], seen["serial"], seen["evidence"], seen["lag"]) == (
            "127.0.0.1", serial, "axfr", 0)  # fmt: skip
        status, body = serve.get("/api/operators/sfr", token)
        [told] = json.loads(body)["feed"]["resolvers"]
        assert told["serial"] is None and told["notify"]["sent"] >= 3
    finally:
        serve.stop()
    assert serve.process is not None and serve.process.popen.returncode == 0


def test_a_resolver_behind_is_shown_behind_on_the_operator_page(tmp_path: Path) -> None:
    """An IXFR query carries the serial the resolver holds: the page shows it behind."""
    serve = Serve(tmp_path, [])
    serve.arret("init")
    serve.arret("operator", "add", "orange", "--allow-from", "127.0.0.0/8")
    serve.arret("order", "add", "--authority", "court", "--decided", "2026-11-01",
                "--duration", "30d", "--operator", "orange", "--reference", "R1",
                "leak.example")  # fmt: skip
    try:
        serve.start()
        soa = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=serve.dns,
                            timeout=2).answer[0][0]  # fmt: skip
        old = soa.serial - 30  # type: ignore[attr-defined]
        query = dns.message.make_query(ZONE, "IXFR")
        rdata = f"localhost. hostmaster.localhost. {old} 60 30 1209600 60"
        query.authority.append(dns.rrset.from_text(ZONE, 60, "IN", "SOA", rdata))
        answer = dns.query.udp(query, "127.0.0.1", port=serve.dns, timeout=2)
        assert answer.rcode() == dns.rcode.NOERROR
        assert serve.metric("arret_resolver_serial_lag", operator="orange",
                            resolver="127.0.0.1") == 30  # fmt: skip
        # The operator page, through a web login.
        token = serve.arret("token", "create", "--role", "operator:orange").split()[-1]
        page = _operator_page(serve, token)
        row = re.search(r'<tr class="resolver" data-address="127.0.0.1">(.*?)</tr>', page, re.S)
        assert row, page
        assert f"{old} (evidence: ixfr-udp)" in row.group(1)
        assert "30 s" in row.group(1)
    finally:
        serve.stop()


def _operator_page(serve: Serve, token: str) -> str:
    """Log in with the token as the web UI's form does, then read the page."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{serve.http}"
    with opener.open(f"{base}/login", timeout=5) as response:
        form = response.read().decode()
    fields = {"token": token}
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    if csrf:
        fields["csrf"] = csrf.group(1)
    data = urllib.parse.urlencode(fields).encode()
    with opener.open(f"{base}/login", data, timeout=5):
        pass
    with opener.open(f"{base}/operators/orange", timeout=5) as response:
        return response.read().decode()


def test_at_start_up_every_notify_finds_udp_and_tcp_accepting(tmp_path: Path) -> None:
    """`open_feed` (what `arret serve` starts with) on a database whose serials change at
    start-up (a new notice host): at the instant each NOTIFY is sent, a TCP connection
    and a UDP SOA query to the feed both succeed."""
    serve = Serve(tmp_path, [])
    serve.arret("init")
    targets = ("127.0.0.1:9", "127.0.0.1:10")  # never reached: `send` below answers
    serve.arret("operator", "add", "orange", "--allow-from", "127.0.0.0/8",
                "--notify", targets[0], "--notify", targets[1])  # fmt: skip
    port = free_port()
    seen: list[tuple[str, str, str]] = []

    async def send(message: dns.message.Message, host: str, p: int) -> dns.message.Message:
        # What a secondary does the moment it is told, without yielding to the server
        # (as a process of its own would not wait for it).
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                tcp = "accepts"
        except OSError as exc:
            tcp = exc.__class__.__name__
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            # Connected, so that a port nobody listens on shows as ConnectionRefusedError.
            udp.connect(("127.0.0.1", port))
            udp.send(dns.message.make_query(ZONE, "SOA").to_wire())
            udp.settimeout(0.3)
            try:
                udp.recv(512)
                udp_state = "bound"
            except TimeoutError:  # bound, but not answering: this coroutine holds the loop
                udp_state = "bound"
            except OSError as exc:
                udp_state = exc.__class__.__name__
        seen.append((f"{host}:{p}", tcp, udp_state))
        return dns.message.make_response(message)

    engine = open_engine(f"sqlite:///{tmp_path / 'arret.db'}")
    settings = FeedSettings(notice_host="elsewhere.example.")
    notifier = Notifier(settings, send=send, give_up_after=timedelta(seconds=0))
    server = FeedServer(engine, SystemClock(), DatabaseFeed(engine, settings), notifier)

    async def main() -> None:
        published, bound = await open_feed(server, settings.notice_host, "127.0.0.1", port)
        assert published and bound == port
        await asyncio.wait_for(notifier.drain(), 10)
        server.close()

    try:
        asyncio.run(main())
    finally:
        engine.dispose()
    assert sorted(seen) == sorted((t, "accepts", "bound") for t in targets), seen
