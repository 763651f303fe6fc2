"""How fast compliance probing asks a real resolver: queries per second against an Unbound
enforcing a Response Policy Zone of N names (default 100,000), each name asked once.

Arrêt's prober (`arret.probes.runner`: one socket per resolver, answers matched by ID and
question, bounded concurrency) is measured against, in the same run, the plain way of
asking with dnspython (`dns.asyncquery.udp`, one socket per query) under the same
concurrency. The zone is written directly in RPZ form (the prober does not care where it
comes from); Unbound forwards nothing: names under `example.` are answered by a tiny local
authority, so every blocked name is answered from the policy and every other from there.

    .venv/bin/python bench/probe.py [--names 100000] [--concurrency 100,500]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import dns.asyncquery  # noqa: E402
import dns.message  # noqa: E402
from support.authority import Authority  # noqa: E402
from support.processes import Process, rcode, start_on_free_ports  # noqa: E402
from support.unbound import unbound_conf  # noqa: E402

from arret.domain.instants import SystemClock  # noqa: E402
from arret.probes.runner import Question, probe  # noqa: E402

ZONE = "bench.rpz.arret."


def write_zone(folder: Path, n: int) -> Path:
    path = folder / "bench.zone"
    with path.open("w") as out:
        out.write(f"$ORIGIN {ZONE}\n$TTL 60\n@ SOA ns.arret. h.arret. 1 60 30 1209600 60\n")
        out.write("@ NS ns.arret.\n")
        for i in range(n):
            out.write(f"site{i}.example CNAME .\n*.site{i}.example CNAME .\n")
    return path


def start_unbound(folder: Path, port: int, authority: int, zone: Path) -> Process:
    unbound = shutil.which("unbound") or "/usr/sbin/unbound"
    conf = unbound_conf(folder, "unbound", port, authority,
                        server="""    module-config: "respip iterator"
    num-threads: 1
    ratelimit: 0
    ip-ratelimit: 0
""", rest=f"""rpz:
    name: "{ZONE}"
    zonefile: "{zone}"
""")  # fmt: skip
    return Process([unbound, "-d", "-c", str(conf)], folder / "unbound.log")


def naive(questions: list[Question], concurrency: int) -> float:
    """The plain dnspython way, one socket per query, same concurrency; returns seconds."""

    async def run() -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(q: Question) -> None:
            host, _, port = q.resolver.rpartition(":")
            async with gate:
                await dns.asyncquery.udp(dns.message.make_query(q.name, "A"), host,
                                         port=int(port), timeout=2)  # fmt: skip

        await asyncio.gather(*(one(q) for q in questions))

    began = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--concurrency", default="100,500")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-probe-"))
    authority = Authority()
    zone = write_zone(folder, args.names)
    unbound, (port,) = start_on_free_ports(
        1,
        lambda p: start_unbound(folder, p[0], authority.port, zone),
        lambda p: rcode(p[0], "site0.example") == "NXDOMAIN",
        120,
        "Unbound to load",
    )
    rows = []
    try:
        resolver = f"127.0.0.1:{port}"
        questions = [Question(resolver, f"site{i}.example") for i in range(args.names)]
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            began = time.perf_counter()
            answers = probe(questions, SystemClock(), concurrency=concurrency, timeout=2)
            ours = time.perf_counter() - began
            lost = sum(1 for a in answers if a.message is None)
            blocked = sum(1 for a in answers if a.message is not None and a.message.rcode() == 3)
            theirs = naive(questions, concurrency)
            rows.append((concurrency, args.names / ours, args.names / theirs, lost, blocked))
            print(f"# concurrency {concurrency}: done", file=sys.stderr)
    finally:
        unbound.stop()
        authority.close()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"# {datetime.now(UTC):%Y-%m-%d}, Unbound with an RPZ of {args.names:,} names, "
          "each name asked once")  # fmt: skip
    print("| concurrency | Arrêt prober (q/s) | dnspython, a socket per query (q/s) | ratio | "
          "unanswered | NXDOMAIN |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for concurrency, ours, theirs, lost, blocked in rows:
        print(f"| {concurrency} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.2f} | {lost} | "
              f"{blocked:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
