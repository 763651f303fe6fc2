"""`arret probe` as an auditor runs it, against real UDP servers on loopback: a resolver
without the policy (every name answered: nothing blocked), a dead resolver (errors only,
never counted as blocking), ended orders and canaries planned. The verdicts themselves
are tested in tests/unit/probes; the three-Unbound story is the acceptance (to come)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.authority import Authority, free_port
from support.signed import open_engine
from typer.testing import CliRunner

from arret.cli.context import Env
from arret.cli.main import app
from arret.domain.instants import FixedClock
from arret.probes.verdict import Kind, Purpose
from arret.services import probing
from arret.store import probes as store_probes

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


@pytest.fixture
def authority() -> Iterator[Authority]:
    server = Authority()
    yield server
    server.close()


def run(url: str, clock: FixedClock, *args: str, ok: bool = True) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), obj=Env(url, clock))
    if ok:
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.exit_code, result.stdout, result.stderr


def test_probe_plans_every_kind_of_name_and_keeps_the_evidence(
    tmp_path: Path, authority: Authority
) -> None:
    url, clock = f"sqlite:///{tmp_path / 'arret.db'}", FixedClock(NOW - timedelta(days=40))
    dead = f"127.0.0.1:{free_port()}"
    unfiltered = f"127.0.0.1:{authority.port}"
    run(url, clock, "init")
    run(url, clock, "operator", "add", "orange", "--probe", unfiltered, "--probe", dead)
    order = ["order", "add", "--authority", "court", "--decided", "2026-10-01",
             "--operator", "orange"]  # fmt: skip
    run(url, clock, *order, "--reference", "old", "--duration", "35d", "gone.example")
    clock.advance(timedelta(days=39))
    run(url, clock, *order, "--reference", "now", "--duration", "90d", "leak.example",
        "mirror.example")  # fmt: skip
    clock.advance(timedelta(days=1))
    assert clock.now() == NOW
    _code, out, _err = run(url, clock, "probe", "--canary", "canary.example", "--timeout", "0.3",
                         "--retries", "0")  # fmt: skip
    assert "orange" in out and unfiltered in out and dead in out
    results = store_probes.load(open_engine(url).connect(), "orange")
    by_resolver = {r: [x for x in results if x.resolver == r] for r in (unfiltered, dead)}
    asked = sorted(x.name for x in by_resolver[unfiltered])
    # Subtree targets: the name and one generated name below it; gone.example ended 5 days
    # ago (within 30 days): probed for over-blocking; and the canary.
    assert len(asked) == 7
    assert {"leak.example", "mirror.example", "gone.example", "canary.example"} <= set(asked)
    for site in ("leak", "mirror", "gone"):
        assert sum(1 for n in asked if n.endswith(f".{site}.example")) == 1
    purposes = Counter(x.purpose for x in by_resolver[unfiltered])
    assert purposes == {Purpose.IN_FORCE: 4, Purpose.ENDED: 2, Purpose.CANARY: 1}
    # The unfiltered resolver answers everything: nothing blocked, nothing over-blocked.
    assert {x.verdict for x in by_resolver[unfiltered]} == {Kind.NOT_BLOCKED}
    # The dead one proves nothing: errors only, with the evidence of a timeout.
    assert {x.verdict for x in by_resolver[dead]} == {Kind.ERROR}
    leak = next(x for x in by_resolver[unfiltered] if x.name == "leak.example")
    assert leak.since == NOW - timedelta(days=1) and leak.orders == (2,)
    assert leak.answers and "192.0.2.1" in leak.answers[0]
    assert leak.at == NOW
    # The report: nothing blocked by the unfiltered resolver (compliance 0 %, every name
    # late), the dead one neither compliant nor blocking (errors only).
    import json

    report = json.loads(run(url, clock, "report", "--json")[1])
    orange = report["operators"]["orange"]
    assert orange["compliance"] == 0.0 and orange["over_blocking"] == 0.0
    assert orange["errors"] == 7 and orange["canary_failures"] == 1
    assert orange["resolvers"][dead]["compliance"] is None
    assert orange["resolvers"][unfiltered]["time_to_block_s"]["late"] == 4
    assert report["orders"]["2"]["compliance"] == 0.0
    # With its 95 % Wilson interval: 0 blocked of 4 in force is at most 49 %.
    assert orange["compliance_95"] == [0.0, 0.489891]
    assert orange["resolvers"][dead]["compliance_95"] is None
    # A full round: 6 names (no canary unless asked) of 2 resolvers; the rate comes from
    # the latest round's instants, all equal under this fixed clock: too short to tell.
    assert report["rounds"]["orange"]["questions"] == 12
    assert report["rounds"]["orange"]["latest_round_questions"] == 14
    assert report["rounds"]["orange"]["full_round_s"] is None
    table = run(url, clock, "report", "--operator", "orange")[1]
    assert "orange" in table and "0% (0.0-49.0%, n=4)" in table
    # --sample N: N names at random (the canaries always), for each resolver.
    clock.advance(timedelta(minutes=1))
    run(url, clock, "probe", "--sample", "2", "--canary", "canary.example", "--timeout", "0.3",
        "--retries", "0")  # fmt: skip
    sampled = [r for r in store_probes.load(open_engine(url).connect(), "orange", clock.now())
               if r.resolver == unfiltered]  # fmt: skip
    assert len(sampled) == 3 and sum(r.purpose is Purpose.CANARY for r in sampled) == 1
    # A name blocked within the last hour is always asked, on top of the sample.
    run(url, clock, *order, "--reference", "fresh", "--duration", "90d", "fresh.example")
    clock.advance(timedelta(minutes=1))
    run(url, clock, "probe", "--sample", "1", "--canary", "canary.example", "--timeout", "0.3",
        "--retries", "0")  # fmt: skip
    latest = store_probes.load(open_engine(url).connect(), "orange", clock.now())
    sampled = [r.name for r in latest if r.resolver == unfiltered]
    fresh = [n for n in sampled if n == "fresh.example" or n.endswith(".fresh.example")]
    assert len(fresh) == 2 and "canary.example" in sampled
    assert len(sampled) == 4  # 1 drawn from the others + the 2 fresh ones + the canary


def test_probe_refuses_an_operator_without_resolvers_and_bad_settings(tmp_path: Path) -> None:
    url, clock = f"sqlite:///{tmp_path / 'arret.db'}", FixedClock(NOW)
    run(url, clock, "init")
    run(url, clock, "operator", "add", "free")
    code, _, err = run(url, clock, "probe", "--operator", "free", ok=False)
    assert code == 1 and "declares no resolver to probe" in err
    code, _, err = run(url, clock, "probe", "--operator", "nosuchisp", ok=False)
    assert code == 3
    code, _, err = run(url, clock, "probe", "--control", "resolver.example", ok=False)
    assert code == 1 and "resolver.example" in err
    code, _, err = run(url, clock, "probe", "--window", "forever", ok=False)
    assert code == 1 and "not a duration" in err
    code, _, err = run(url, clock, "report", "--since", "whenever", ok=False)
    assert code == 1 and "neither an instant" in err
    code, _, err = run(url, clock, "report", "--operator", "nosuchisp", ok=False)
    assert code == 3
    engine = open_engine(url)
    with engine.connect() as conn:
        assert store_probes.load(conn) == []
    assert timedelta(days=30) == probing.WINDOW


def test_serve_probes_right_after_a_publication(tmp_path: Path, authority: Authority) -> None:
    import os
    import subprocess
    import sys

    from support.processes import Process, rcode, start_on_free_ports, wait_until

    arret = str(Path(sys.executable).parent / "arret")
    url = f"sqlite:///{tmp_path / 'arret.db'}"
    env = {**os.environ, "ARRET_DB": url}
    for args in (["init"], ["operator", "add", "orange", "--probe",
                            f"127.0.0.1:{authority.port}"]):  # fmt: skip
        subprocess.run([arret, *args], env=env, check=True, capture_output=True)
    serve, _ = start_on_free_ports(
        2, lambda p: Process([arret, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                              f"127.0.0.1:{p[1]}", "--probe-every", "1h"],
                             tmp_path / "serve.log", env=env),
        lambda p: rcode(p[0], "orange.rpz.arret.", "SOA") == "REFUSED", 20, "arret serve",
    )  # fmt: skip
    engine = open_engine(url)
    try:
        time.sleep(2)  # the first round at start: nothing in force, nothing asked
        subprocess.run([arret, "order", "add", "--reference", "R", "--authority", "court",
                        "--decided", "2026-11-01", "--duration", "30d", "--operator", "orange",
                        "--exact", "leak.example"], env=env, check=True)  # fmt: skip

        def probed() -> bool:
            with engine.connect() as conn:
                return any(r.name == "leak.example" for r in store_probes.load(conn, "orange"))

        wait_until(probed, 15, "a probing round after the publication")
    finally:
        serve.stop()
        engine.dispose()
    assert serve.popen.returncode == 0, serve.output()
