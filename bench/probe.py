"""How fast, and in how much memory, compliance probing asks a real resolver, against the
peer that sets the bar: dnsperf asking the same names of the same Unbound in the same run.

One Unbound enforces a Response Policy Zone of N subtree names (default 100,000;
`--names 1000000`): `siteI.example` and `*.siteI.example` answer NXDOMAIN, as the zone
Arrêt publishes for an order of N subtree names does (the zone is written in RPZ form
directly: the prober does not care where it comes from, and a million-name transfer
would only lengthen the run). The questions are those `arret probe` asks for such an
order: each name, and one name below it (2N questions). Rows:

- **dnsperf**: `dnsperf -q CONCURRENCY` over the 2N questions, once.
- **prober**: `arret.probes.runner` alone (in a child process, for its peak RSS) over the
  same 2N questions, at `--concurrency`.
- **arret probe**: the whole command (`arret probe --operator o`), planning from a
  SQLite registry holding one order of the N names, judging and storing every answer
  (the registry is built first; its import is not timed here, bench/scale.py does that).
  It asks from a child process of its own (`--processes 2`, its default): its peak RSS
  is the sum of both processes' peaks.

Lost answers are split where Unbound's own counters allow it (`unbound-control stats`,
reset before each row): questions sent that Unbound never counted were dropped on the
way in (the resolver's socket, the resolver's side); questions Unbound counted but the
asker never matched were lost on the way back (the asker's own socket: its loss). The
kernel's UDP receive-buffer drop counter (/proc/net/snmp, every socket of the machine)
is shown as a cross-check. Benchmark figures, not tests: the machine is shared.

    .venv/bin/python bench/probe.py [--names 100000,1000000] [--concurrency 200] [--no-arret-probe]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.authority import Authority, free_port  # noqa: E402
from support.debian import is_root, require_program  # noqa: E402
from support.processes import Process, rcode, start_on_free_ports  # noqa: E402
from support.signed import ensure_key, open_engine  # noqa: E402
from support.unbound import unbound_conf  # noqa: E402

ZONE = "bench.rpz.arret."
ARRET = str(Path(sys.executable).parent / "arret")


def names(n: int) -> list[str]:
    """The 2N questions: each name, then one below it (as `arret probe` asks a subtree)."""
    return [q for i in range(n) for q in (f"site{i}.example", f"arret-b{i:x}.site{i}.example")]


def write_zone(folder: Path, n: int) -> Path:
    path = folder / "bench.zone"
    with path.open("w") as out:
        out.write(f"$ORIGIN {ZONE}\n$TTL 60\n@ SOA ns.arret. h.arret. 1 60 30 1209600 60\n")
        out.write("@ NS ns.arret.\n")
        for i in range(n):
            out.write(f"site{i}.example CNAME .\n*.site{i}.example CNAME .\n")
    return path


def start_unbound(folder: Path, port: int, control: int, authority: int, zone: Path) -> Process:
    unbound = shutil.which("unbound") or "/usr/sbin/unbound"
    conf = unbound_conf(folder, "unbound", port, authority,
                        server="""    module-config: "respip iterator"
    num-threads: 1
    ratelimit: 0
    ip-ratelimit: 0
    statistics-cumulative: no
""", rest=f"""remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {control}
    control-use-cert: no
rpz:
    name: "{ZONE}"
    zonefile: "{zone}"
""")  # fmt: skip
    return Process([unbound, "-d", "-c", str(conf)], folder / "unbound.log")


@dataclass
class Unbound:
    conf: Path
    port: int

    def stats(self) -> dict[str, float]:
        """Unbound's counters since the last call (`stats` resets them)."""
        control = shutil.which("unbound-control") or "/usr/sbin/unbound-control"
        out = subprocess.run([control, "-c", str(self.conf), "stats"], check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        return {k: float(v) for k, v in (line.split("=", 1) for line in out.split())}


def udp_rcvbuf_errors() -> int:
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines()
             if line.startswith("Udp:")]  # fmt: skip
    return int(lines[1][lines[0].index("RcvbufErrors")])


@dataclass
class Row:
    what: str
    questions: int
    seconds: float
    #: Datagrams sent (retries included) and answers matched.
    sent: int
    answered: int
    peak_mib: float | None
    #: Questions Unbound counted in the row.
    received: int
    kernel_drops: int
    note: str = ""

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def vm_hwm_mib(pid: int) -> float:
    """The peak RSS of the process's own memory (VmHWM), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The process's children (`arret probe` asks from one of its own)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            found += [int(c) for c in task.read_text().split()]
    return found


def waited(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run `argv`; wall seconds, peak RSS (MiB) and stdout. The peak is the process's
    VmHWM read every 0.1 s while it runs (not rusage's ru_maxrss: Linux counts in it the
    memory of the parent the child was forked from), plus each of its children's: the
    sum of their peaks, which bounds what they held at once."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        peaks: dict[int, float] = {}
        while child.poll() is None:
            for pid in (child.pid, *children(child.pid)):
                peaks[pid] = max(peaks.get(pid, 0.0), vm_hwm_mib(pid))
            time.sleep(0.1)
        peak = sum(peaks.values())
        seconds = time.perf_counter() - began
        out.seek(0)
        text = out.read().decode()
    if child.returncode:
        raise SystemExit(f"{argv[:4]} failed ({child.returncode}):\n{text[-2000:]}")
    return seconds, peak, text


def dnsperf_row(dnsperf: str, folder: Path, unbound: Unbound, asked: list[str],
                concurrency: int) -> Row:  # fmt: skip
    data = folder / "dnsperf.txt"
    data.write_text("".join(f"{q} A\n" for q in asked))
    unbound.stats()
    drops = udp_rcvbuf_errors()
    _s, _mib, out = waited([dnsperf, "-s", "127.0.0.1", "-p", str(unbound.port), "-d", str(data),
                            "-n", "1", "-q", str(concurrency), "-t", "5"])  # fmt: skip
    drops = udp_rcvbuf_errors() - drops
    got = unbound.stats()

    def figure(label: str) -> float:
        match = re.search(rf"{label}:\s+([\d.]+)", out)
        assert match, out
        return float(match.group(1))

    return Row("dnsperf", len(asked), figure("Run time \\(s\\)"), int(figure("Queries sent")),
               int(figure("Queries completed")), None, int(got["total.num.queries"]), drops,
               "")  # fmt: skip


def child_runner(resolver: str, n: int, concurrency: int) -> None:
    """In a child process: the runner alone over the 2N questions, each answer read as
    the verdict needs it (`arret.probes.wire.observe`); prints JSON."""
    from arret.domain.instants import SystemClock
    from arret.probes.runner import Counts, Question, ask
    from arret.probes.wire import observe

    def questions() -> Iterator[Question]:
        for i in range(n):
            yield Question(resolver, f"site{i}.example")
            yield Question(resolver, f"arret-b{i:x}.site{i}.example")

    counts = Counts()
    retried = 0
    began = time.perf_counter()
    for a in ask(questions(), SystemClock(), concurrency=concurrency, timeout=2, retries=1,
                 counts=counts):  # fmt: skip
        observe(a.wire, resolver, a.at, a.latency, a.question.name)
        retried += a.tries > 1
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "sent": counts.sent, "answered": counts.answered,
                      "retried": retried, "peak_mib": vm_hwm_mib(os.getpid())}))  # fmt: skip


def prober_row(unbound: Unbound, n: int, concurrency: int) -> Row:
    unbound.stats()
    drops = udp_rcvbuf_errors()
    _seconds, mib, out = waited([sys.executable, __file__, "--child", f"127.0.0.1:{unbound.port}",
                                "--names", str(n), "--concurrency", str(concurrency)])  # fmt: skip
    drops = udp_rcvbuf_errors() - drops
    got = unbound.stats()
    figures = json.loads(out)
    mib = max(mib, figures["peak_mib"])
    return Row("prober (arret.probes.runner)", 2 * n, figures["seconds"], figures["sent"],
               figures["answered"], mib, int(got["total.num.queries"]), drops,
               f"{figures['retried']} retried")  # fmt: skip


def arret_probe_row(folder: Path, unbound: Unbound, n: int, concurrency: int) -> Row:
    from arret.services import registry
    from arret.store.db import migrate

    url = f"sqlite:///{folder / 'arret.db'}"
    env = {**os.environ, "ARRET_DB": url}
    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        registry.add_operator(conn, "o", datetime.now(UTC), "bench",
                              probe=[f"127.0.0.1:{unbound.port}"])  # fmt: skip
    engine.dispose()
    targets = folder / "targets.txt"
    targets.write_text("".join(f"site{i}.example\n" for i in range(n)))
    print(f"# importing {n:,} names into the registry", file=sys.stderr, flush=True)
    subprocess.run([ARRET, "order", "add", "--reference", "B", "--authority", "bench",
                    "--decided", "2026-01-01", "--duration", "90d", "--operator", "o", "--yes",
                    "--targets-file", str(targets)], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    print("# arret probe", file=sys.stderr, flush=True)
    unbound.stats()
    drops = udp_rcvbuf_errors()
    seconds, mib, _out = waited([ARRET, "probe", "--operator", "o", "--concurrency",
                                 str(concurrency), "--timeout", "2", "--retries", "1"],
                                env)  # fmt: skip
    drops = udp_rcvbuf_errors() - drops
    got = unbound.stats()
    from sqlalchemy import text

    engine = open_engine(url)
    with engine.connect() as conn:
        verdicts = dict(conn.execute(text(
            "SELECT verdict, count(*) FROM probe_results GROUP BY verdict")).all())  # fmt: skip
    engine.dispose()
    stored = sum(verdicts.values())
    answered = stored - verdicts.get("error", 0)
    received = int(got["total.num.queries"])
    note = ", ".join(f"{v:,} {k}" for k, v in sorted(verdicts.items()))
    return Row("arret probe (plan, ask, judge, store)", stored, seconds, received, answered,
               mib, received, drops, f"{note}; sent: as Unbound counted")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--names",
        default="100000",
        help="names, or several sizes one after the other: 100000,1000000",
    )
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument(
        "--no-arret-probe",
        action="store_true",
        help="Skip the whole-command row (and the registry import).",
    )
    parser.add_argument("--child", metavar="RESOLVER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(n) for n in str(args.names).split(",")]
    if args.child:
        child_runner(args.child, sizes[0], args.concurrency)
        return
    dnsperf = shutil.which("dnsperf")
    if dnsperf is None:
        if not is_root():
            sys.exit("dnsperf is missing: apt-get install dnsperf")
        dnsperf = require_program("dnsperf", "dnsperf")
    ensure_key()
    for n in sizes:
        one_size(dnsperf, n, args)


def one_size(dnsperf: str, n: int, args: argparse.Namespace) -> None:
    """Every row for N names, and its table."""
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-probe-"))
    authority = Authority()
    zone = write_zone(folder, n)
    control = free_port()
    unbound_process, (port,) = start_on_free_ports(
        1,
        lambda p: start_unbound(folder, p[0], control, authority.port, zone),
        lambda p: rcode(p[0], "site0.example") == "NXDOMAIN",
        120 + n / 5000,
        "Unbound to load",
    )
    unbound = Unbound(folder / "unbound.conf", port)
    rows: list[Row] = []
    try:
        asked = names(n)
        print("# dnsperf", file=sys.stderr, flush=True)
        rows.append(dnsperf_row(dnsperf, folder, unbound, asked, args.concurrency))
        del asked
        print("# prober", file=sys.stderr, flush=True)
        rows.append(prober_row(unbound, n, args.concurrency))
        if not args.no_arret_probe:
            rows.append(arret_probe_row(folder, unbound, n, args.concurrency))
    finally:
        unbound_process.stop()
        authority.close()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, one Unbound (1 thread) enforcing an RPZ of "
          f"{n:,} subtree names; {2 * n:,} questions (each name and one "
          f"below it), concurrency {args.concurrency}")  # fmt: skip
    print("| asker | questions | seconds | answers/s | % of dnsperf | sent | answered | "
          "lost | lost on the way in (resolver) | lost on the way back (asker) | "
          "kernel UDP rcvbuf drops | peak RSS MiB | note |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    peer = rows[0].rate
    for r in rows:
        lost = r.sent - r.answered
        inward = max(0, r.sent - r.received)
        back = max(0, r.received - r.answered)
        mib = "-" if r.peak_mib is None else f"{r.peak_mib:,.0f}"
        print(f"| {r.what} | {r.questions:,} | {r.seconds:.2f} | {r.rate:,.0f} | "
              f"{100 * r.rate / peer:.1f} | {r.sent:,} | {r.answered:,} | {lost:,} | {inward:,} | "
              f"{back:,} | {r.kernel_drops:,} | {mib} | {r.note} |")  # fmt: skip


if __name__ == "__main__":
    main()
