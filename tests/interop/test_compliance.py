"""Compliance probing against real resolvers on loopback (what `arret probe` promises).

Three resolvers of one operator, all probed:

- A, an Unbound that pulls the feed and is told of every change (NOTIFY): compliant;
- B, an Unbound with no policy at all: never blocks (compliance 0 %);
- C, a PowerDNS Recursor that pulls the feed on its timer only (it ignores NOTIFY), here
  every 8 s: late by up to its refresh.

An order is registered, then made to end 1 s after one of C's refreshes. Probing every
half second shows A blocking within
seconds, B never, C late; after the order's end, A unblocks within seconds while C keeps
blocking for a while: over-blocking. A resolver that is down yields errors, counted
neither as compliant nor as blocking.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.authority import Authority, free_port
from support.debian import require_program
from support.processes import Process, rcode, start_on_free_ports
from support.signed import open_engine
from support.unbound import unbound_conf

from arret.domain.instants import SystemClock
from arret.probes.measures import measure
from arret.probes.records import Result
from arret.probes.verdict import Kind, Purpose
from arret.services import probing

ARRET = str(Path(sys.executable).parent / "arret")
REFRESH = 8


@dataclass
class World:
    folder: Path
    env: dict[str, str]
    url: str
    a: str
    b: str
    c: str
    dead: str

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout


#: Probes must see the resolver's answer now, not one cached from before a change.
NO_CACHE = "    cache-max-ttl: 0\n    cache-max-negative-ttl: 0\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    unbound = require_program("unbound", "unbound")
    recursor = require_program("pdns_recursor", "pdns-recursor")
    folder = tmp_path_factory.mktemp("compliance")
    url = f"sqlite:///{folder / 'arret.db'}"
    env = {**os.environ, "ARRET_DB": url}
    authority = Authority()
    processes: list[Process] = []

    def arret(*args: str) -> str:
        run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    def answers(ports: tuple[int, ...]) -> bool:
        return rcode(ports[0], "up.example") == "NOERROR"

    try:
        arret("init")
        arret("operator", "add", "isp", "--allow-from", "127.0.0.0/8")
        # Every server binds ports chosen at run time; one that finds its port taken in
        # the meantime is started again on others (support.processes).
        serve, (feed, _) = start_on_free_ports(
            2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                                  f"127.0.0.1:{p[1]}", "-v"], folder / "serve.log", env=env),
            lambda p: rcode(p[0], "isp.rpz.arret.", "SOA") == "NOERROR", 20, "arret serve",
        )  # fmt: skip
        processes.append(serve)
        server = f"127.0.0.1:{feed}"
        snippet = arret("operator", "config", "isp", "--resolver", "unbound", "--server",
                        server, "--dir", str(folder))  # fmt: skip
        lua = arret("operator", "config", "isp", "--resolver", "powerdns", "--server", server,
                    "--dir", str(folder))  # fmt: skip
        (folder / "rpz.lua").write_text(re.sub(r"refresh = \d+", f"refresh = {REFRESH}", lua))

        def recursor_on(ports: tuple[int, ...]) -> Process:
            (folder / "recursor.conf").write_text(f"""local-address=127.0.0.1
local-port={ports[0]}
allow-from=127.0.0.0/8
daemon=no
socket-dir={folder}
dnssec=off
max-cache-ttl=0
max-negative-ttl=0
disable-packetcache=yes
forward-zones=example=127.0.0.1:{authority.port}
lua-config-file={folder}/rpz.lua
""")
            return Process([recursor, f"--config-dir={folder}"], folder / "c.log")

        starts = {
            "a": lambda p: Process([unbound, "-d", "-c", str(unbound_conf(
                folder, "a", p[0], authority.port, NO_CACHE, snippet))], folder / "a.log"),
            "b": lambda p: Process([unbound, "-d", "-c", str(unbound_conf(
                folder, "b", p[0], authority.port, NO_CACHE))], folder / "b.log"),
            "c": recursor_on,
        }  # fmt: skip
        resolvers = {}
        for name, start in starts.items():
            process, (port,) = start_on_free_ports(1, start, answers, 30, f"resolver {name}")
            processes.append(process)
            resolvers[name] = f"127.0.0.1:{port}"
        a, b, c = resolvers["a"], resolvers["b"], resolvers["c"]
        arret("operator", "edit", "isp", "--notify", a, "--probe", a, "--probe", b,
              "--probe", c)  # fmt: skip
        w = World(folder, env, url, a, b, c, f"127.0.0.1:{free_port()}")  # nothing listens
        yield w
    finally:
        for process in processes:
            process.stop()
        authority.close()


def first(results: list[Result], resolver: str, verdict: Kind, after: datetime) -> datetime | None:
    times = [r.at for r in results if r.resolver == resolver and r.verdict is verdict
             and r.name == "leak.example" and r.at >= after]  # fmt: skip
    return min(times, default=None)


def probe_for(seconds: float, settings: probing.Settings, url: str) -> list[Result]:
    engine = open_engine(url)
    results: list[Result] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        results += probing.probe(engine, SystemClock(), ["isp"], settings)
        time.sleep(0.5)
    engine.dispose()
    return results


def test_compliant_absent_and_late_resolvers_and_over_blocking_after_the_end(
    world: World,
) -> None:
    settings = probing.Settings(timeout=1.0, retries=0, canaries=("canary.example",))
    registered = SystemClock().now()
    world.arret("order", "add", "--reference", "RG 26/1", "--authority", "TJ Paris",
                "--decided", "2026-11-01", "--duration", "10min", "--operator", "isp",
                "leak.example")  # fmt: skip
    # Counted from the command's return (the order's commit), not its start: a loaded
    # machine takes seconds to start a Python process, which is not the feed's delay.
    committed = SystemClock().now()
    during = probe_for(REFRESH + 6, settings, world.url)
    a = first(during, world.a, Kind.BLOCKED, registered)
    c = first(during, world.c, Kind.BLOCKED, registered)
    assert a is not None and (a - committed).total_seconds() < 3, "A blocks within seconds"
    assert first(during, world.b, Kind.BLOCKED, registered) is None, "B never blocks"
    assert c is not None, "C blocks, late"
    assert (c - registered) > (a - registered)
    assert (c - registered).total_seconds() <= REFRESH + 3
    b_in_force = [r for r in during if r.resolver == world.b and r.purpose is Purpose.IN_FORCE]
    assert b_in_force and {r.verdict for r in b_in_force} == {Kind.NOT_BLOCKED}
    canaries = [r for r in during if r.purpose is Purpose.CANARY]
    assert canaries and {r.verdict for r in canaries} == {Kind.NOT_BLOCKED}
    # The order is made to end by itself 1 s after one of C's refreshes (they come every
    # REFRESH seconds from its first block), so that C over-blocks for most of a refresh
    # whatever the phase of its timer. Moving the expiry changes no zone: no new serial.
    end = c + timedelta(seconds=2 * REFRESH + 1)
    world.arret("order", "amend", "1", "--expires", end.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    time.sleep(max(0.0, (end - SystemClock().now()).total_seconds()))
    after = probe_for(REFRESH + 6, settings, world.url)
    ended = [r for r in after if r.purpose is Purpose.ENDED and r.name == "leak.example"]
    assert ended, "the ended name is probed for over-blocking"
    a_free = first(after, world.a, Kind.NOT_BLOCKED, end)
    assert a_free is not None and (a_free - end).total_seconds() < 3, "A unblocks at once"
    c_still = [r for r in ended if r.resolver == world.c and r.verdict is Kind.BLOCKED]
    assert c_still, "C keeps blocking for a while: over-blocking"
    c_free = first(after, world.c, Kind.NOT_BLOCKED, end)
    assert c_free is not None and c_free > a_free
    # The same story as `arret report` tells it.
    report = measure(during, max(r.at for r in during)).operators["isp"].resolvers
    to_block = {resolver: report[resolver].delays.to_block for resolver in report}
    assert to_block[world.a].max is not None and to_block[world.a].max.total_seconds() < 3
    assert report[world.b].standing.compliance == 0.0
    assert to_block[world.b].late == to_block[world.b].count > 0
    assert to_block[world.c].max is not None and to_block[world.a].max < to_block[world.c].max
    late = measure(after[: len(after) // 3], max(r.at for r in after[: len(after) // 3]))
    assert late.operators["isp"].resolvers[world.c].standing.over_blocking == 1.0
    assert late.operators["isp"].resolvers[world.a].standing.over_blocking == 0.0


def test_a_resolver_that_is_down_gives_errors_not_compliance(world: World) -> None:
    world.arret("operator", "edit", "isp", "--probe", world.dead)
    try:
        results = probing.probe(open_engine(world.url), SystemClock(), ["isp"],
                                probing.Settings(timeout=0.3, retries=0,
                                                 canaries=("canary.example",)))  # fmt: skip
    finally:
        world.arret("operator", "edit", "isp", "--probe", world.a, "--probe", world.b,
                    "--probe", world.c)  # fmt: skip
    assert results and {r.verdict for r in results} == {Kind.ERROR}
    assert all(r.rcode == "" for r in results)
