"""The feed against Knot DNS, measured in the same run on the same zone.

For each size N (default 10k and 100k names; `--sizes ...,1000000` for the million), a
fresh registry with one operator whose policy is N subtree names (2N records), then:

- render: wire-format rendering of the full transfer, in process (first time, uncached);
- AXFR: a full transfer by `dig` from `arret serve` and from `knotd` serving the same
  zone (Arrêt's zone file export), wall time of the client;
- IXFR: one name added; `dig` IXFR from the previous serial, from each server;
- end-to-end: one name added until an Unbound pulling from that server (with NOTIFY)
  answers NXDOMAIN for it — for Arrêt by a new one-name order, once through the HTTP API
  of the running `arret serve` ("end-to-end") and once by the `arret order add` command
  ("end-to-end CLI", a process start included); for Knot by `knotc zone-begin/zone-set/
  zone-commit`;
- amend: the path real use takes first — one name (a mirror) added to *the* N-name order,
  through the API ("amend API": request until Unbound NXDOMAIN; "amend API returns") and
  by `arret order amend --add` ("amend CLI", "amend CLI returns", a process start
  included), against Knot's `knotc` commit path measured in the same run;
- memory: peak RSS (VmHWM) of `arret serve` and of `knotd` after all of the above.

Prints a markdown table with the ratio Arrêt/Knot for each figure. Benchmark figures,
not timed tests: the machine is shared and noisy.

    .venv/bin/python bench/feed.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from peers import (  # noqa: E402
    ARRET,
    Knot,
    api_amend,
    authority_token,
    axfr_seconds,
    peak_rss_mib,
    start_serve,
    timed_run,
    tools,
    until_nxdomain,
)
from peers import serial_of as zone_serial  # noqa: E402
from support.authority import Authority, free_port  # noqa: E402
from support.processes import Process, rcode, wait_until  # noqa: E402
from support.signed import ensure_key, open_engine  # noqa: E402
from support.unbound import unbound_conf  # noqa: E402

from arret.domain.lifecycle import OrderDraft  # noqa: E402
from arret.domain.model import TargetSpec  # noqa: E402
from arret.feed import render  # noqa: E402
from arret.rpz.zone import FeedSettings  # noqa: E402
from arret.services import registry  # noqa: E402
from arret.store import feed as store_feed  # noqa: E402
from arret.store.db import migrate  # noqa: E402

ZONE = "bench.rpz.arret."


def api_order(port: int, token: str, name: str, dry_run: bool = False) -> None:
    """Register a one-name order through the HTTP API of the running `arret serve`."""
    body = json.dumps({
        "reference": f"e2e-{name}", "authority": "bench", "decided_on": "2026-01-01",
        "duration": "90d", "operators": ["bench"], "targets": [{"name": name}],
    }).encode()  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/orders" + ("?dry_run=true" if dry_run else ""),
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == (200 if dry_run else 201), response.read()


def serial_of(port: int) -> int:
    return zone_serial(port, ZONE)


def build(folder: Path, n: int, unbound_port: int) -> str:
    url = f"sqlite:///{folder / 'arret.db'}"
    engine = open_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        registry.add_operator(conn, "bench", now, "bench", notify=[f"127.0.0.1:{unbound_port}"],
                              allow_from=["127.0.0.0/8"])  # fmt: skip
    # One order of N names: what the amendments below change (a court's list, at scale).
    names = [TargetSpec(f"site{i}.example") for i in range(n)]
    draft = OrderDraft("B", "bench", date(2026, 1, 1), tuple(names), ("bench",),
                       expires_at=now + timedelta(days=30))  # fmt: skip
    with engine.begin() as conn:
        registry.register_order(conn, draft, now, "bench")
    engine.dispose()
    return url


def rpz_unbound(folder: Path, port: int, primary: int, authority: int) -> Path:
    return unbound_conf(folder, f"unbound-{port}", port, authority,
                        server='    module-config: "respip iterator"\n',
                        rest=f"""rpz:
    name: "{ZONE}"
    primary: 127.0.0.1@{primary}
    allow-notify: 127.0.0.1@{primary}
""")  # fmt: skip


def measure(
    n: int, dig: str, kdig: str, knotd: str, knotc: str, unbound: str
) -> dict[str, dict[str, float]]:
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-feed-"))
    authority = Authority()
    processes: list[Process] = []
    knot: Knot | None = None
    out: dict[str, dict[str, float]] = {"arret": {}, "knot": {}}
    try:
        u_arret, u_knot, p_knot = (free_port() for _ in range(3))
        print(f"# {n:,} names: registering", file=sys.stderr)
        url = build(folder, n, u_arret)
        env = {**os.environ, "ARRET_DB": url}
        engine = open_engine(url)
        with engine.connect() as conn:
            entries = store_feed.entries(conn, store_feed.operator_id(conn, "bench"))
        engine.dispose()
        start = time.perf_counter()
        for _ in render.RenderCache().full_zone(ZONE, 1, entries, render.Parts.of(FeedSettings()),
                                              render.LIMIT):  # fmt: skip
            pass
        out["arret"]["render"] = time.perf_counter() - start
        zone_file = folder / "bench.zone"
        zone_file.write_text(subprocess.run([ARRET, "policy", "--operator", "bench", "--format",
                                             "rpz"], env=env, capture_output=True, text=True,
                                            check=True).stdout)  # fmt: skip
        token = authority_token(env)
        serve, p_arret, h_arret = start_serve(folder, env, ZONE, 120)
        processes.append(serve)
        knot = Knot(folder, knotd, knotc, ZONE, p_knot)
        out["knot"]["load"] = knot.start(zone_file, u_knot, 300)
        for name, port in (("arret", p_arret), ("knot", p_knot)):
            out[name]["axfr"] = axfr_seconds(kdig, port, ZONE)
        ubs = {
            "arret": Process([unbound, "-d", "-c", str(rpz_unbound(folder, u_arret, p_arret,
                              authority.port))], folder / "ub-arret.log"),
            "knot": Process([unbound, "-d", "-c", str(rpz_unbound(folder, u_knot, p_knot,
                             authority.port))], folder / "ub-knot.log"),
        }  # fmt: skip
        processes += ubs.values()
        for name, port in (("arret", u_arret), ("knot", u_knot)):
            wait_until(lambda p=port: rcode(p, "site0.example") == "NXDOMAIN", 300,
                       f"Unbound to load from {name}")  # fmt: skip
        # A server in service has answered requests before: one dry run warms the code
        # path (lazy imports, compiled statements) without changing anything.
        api_order(h_arret, token, "warm-up.example", dry_run=True)
        # One change, end to end: until Unbound answers NXDOMAIN for the new name.
        old = {"arret": serial_of(p_arret), "knot": serial_of(p_knot)}
        start = time.perf_counter()
        api_order(h_arret, token, "fresh-api.example")
        answered = time.perf_counter() - start
        until_nxdomain(u_arret, "fresh-api.example", 60, "arret e2e")
        out["arret"]["end-to-end"] = time.perf_counter() - start
        print(f"# {n:,}: the API answered after {answered:.3f} s of the end-to-end "
              f"{out['arret']['end-to-end']:.3f} s", file=sys.stderr)  # fmt: skip
        start = time.perf_counter()
        subprocess.run([ARRET, "order", "add", "--reference", "e2e-cli", "--authority", "bench",
                        "--decided", "2026-01-01", "--duration", "90d", "--operator", "bench",
                        "fresh-cli.example"], env=env, check=True, capture_output=True)  # fmt: skip
        until_nxdomain(u_arret, "fresh-cli.example", 60, "arret e2e")
        out["arret"]["end-to-end CLI"] = time.perf_counter() - start
        # The big order (id 1) gets one more name: through the API, then by the CLI.
        start = time.perf_counter()
        api_amend(h_arret, token, 1, "mirror-api.example")
        out["arret"]["amend API returns"] = time.perf_counter() - start
        until_nxdomain(u_arret, "mirror-api.example", 120, "arret amend")
        out["arret"]["amend API"] = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([ARRET, "order", "amend", "1", "--add", "mirror-cli.example"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        out["arret"]["amend CLI returns"] = time.perf_counter() - start
        until_nxdomain(u_arret, "mirror-cli.example", 120, "arret amend CLI")
        out["arret"]["amend CLI"] = time.perf_counter() - start
        start = time.perf_counter()
        committed = knot.commit("fresh-knot.example")
        until_nxdomain(u_knot, "fresh-knot.example", 60, "knot e2e")
        out["knot"]["end-to-end"] = time.perf_counter() - start
        out["knot"]["end-to-end CLI"] = out["knot"]["end-to-end"]
        # Knot's one path for a change: its command returns, its secondary answers.
        out["knot"]["amend API"] = out["knot"]["amend CLI"] = out["knot"]["end-to-end"]
        out["knot"]["amend API returns"] = out["knot"]["amend CLI returns"] = committed
        print(f"# {n:,}: knotc committed after {committed:.3f} s of the end-to-end "
              f"{out['knot']['end-to-end']:.3f} s", file=sys.stderr)  # fmt: skip
        for name, port in (("arret", p_arret), ("knot", p_knot)):
            out[name]["ixfr"] = min(
                timed_run(
                    [kdig, "+noidn", "-p", str(port), "@127.0.0.1", ZONE, f"IXFR={old[name]}"]
                )
                for _ in range(3)
            )
        out["arret"]["peak MiB"] = peak_rss_mib(serve.popen.pid)
        out["knot"]["peak MiB"] = peak_rss_mib(knot.process.popen.pid) if knot.process else 0
        return out
    finally:
        for process in processes:
            process.stop()
        if knot is not None:
            knot.stop()
        authority.close()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ensure_key()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    found = tools()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        result = measure(n, *(found[t] for t in ("dig", "kdig", "knotd", "knotc", "unbound")))
        for figure in ("render", "load", "axfr", "ixfr", "end-to-end", "end-to-end CLI",
                       "amend API", "amend API returns", "amend CLI", "amend CLI returns",
                       "peak MiB"):  # fmt: skip
            a, k = result["arret"].get(figure), result["knot"].get(figure)
            ratio = f"{a / k:.2f}" if a is not None and k else ""
            show = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
            rows.append(f"| {n:,} | {figure} | {show(a)} | {show(k)} | {ratio} |")
    print("| names | figure (s, or MiB) | Arrêt | Knot DNS | Arrêt/Knot |")
    print("|---:|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
