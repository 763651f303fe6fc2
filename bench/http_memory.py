"""Memory of `arret serve` under a burst of concurrent HTTP requests, and after it.

A real `arret serve` on loopback (a temporary SQLite registry: the demo, plus one order of
N names); 200 clients at once read that order's public JSON (`--pages json`) or its HTML
page in the register (`html`), `--rounds` times in a row; `--bursts` such bursts, each
followed by the same idle time and a sample of the RSS (does what each keeps add up?).

The server's RSS is its main process's and its HTTP workers' (`arret.workers`: the worker
that answered a burst is replaced once idle; "workers replaced" counts them). The baseline
is the server's RSS once idle, measured as the figure after the burst is:
after one request and the release the server does once idle for 12-13 s
(`arret.http.memory`); its noise is the spread of the RSS sampled each second over the
last `--idle` seconds before the burst. The peak is sampled every 0.1 s during the burst;
"after" is the RSS 20 s after the last answer (past the release); "kept" is after minus
baseline. Latency: seconds from sending a request to its answer's last byte, over the
burst.

With the allocator `arret serve` picks for itself (`own`: the C allocator, two glibc
arenas, no per-thread cache, trims when idle), the same with glibc's per-thread cache on
(`tcache`, as before it was turned off) and with CPython's own (`pymalloc`). Each
combination of page, allocator and rounds is measured `--runs` times, each on a fresh
server.

    python bench/http_memory.py [--names 5000] [--clients 200] [--rounds 2 5] [--runs 3]
        [--bursts 6] [--pages json html] [--allocators own tcache pymalloc]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ARRET = str(Path(sys.executable).parent / "arret")
MIB = 2**20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def workers(pid: int) -> list[int]:
    """The HTTP worker processes of `arret serve` `pid` (`arret.workers`)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu(pid: int) -> float:
    """Seconds of CPU the server has used (user and system): its main process, the
    workers it has ended and reaped, and those running."""
    total = 0
    for each in [pid, *workers(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that ended meanwhile: counted in its parent
            continue
        total += int(fields[11]) + int(fields[12])
        if each == pid:
            total += int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> int:
    """The server's resident memory: its main process and its HTTP workers."""
    total = 0
    for each in [pid, *workers(pid)]:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except FileNotFoundError:
            continue
        total += int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])
    return total * 1024


#: The page each client reads, by `--pages` name.
PAGES = {"json": "/api/public/orders/{order}", "html": "/register/{order}"}
ALLOCATORS = {
    "own": {},
    "tcache": {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=7"},
    "pymalloc": {"PYTHONMALLOC": "pymalloc"},
}
LABELS = {
    "own": "arret serve's own",
    "tcache": "own, tcache on",
    "pymalloc": "CPython's pymalloc",
}
#: Seconds after the last answer at which "after" is measured: past the idle release
#: (12-13 s) and the replacement of the worker that follows it (`arret.workers`).
AFTER = 25.0


def environment(folder: Path, extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
            "ARRET_LOG_KEY": str(folder / "log.key"), **extra}  # fmt: skip


def registry(folder: Path, names: int) -> int:
    """The demo and one order of `names` names in `folder`; that order's id."""
    env = environment(folder, {})

    def arret(*args: str) -> str:
        run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True, check=True)
        return run.stdout

    arret("demo", "--no-tokens")
    listing = folder / "names.txt"
    listing.write_text("".join(f"n{i:07d}-mirror.example\n" for i in range(names)))
    arret("order", "add", "--reference", "bench", "--authority", "court", "--decided",
          "2026-11-01", "--duration", "30d", "--operator", "orange", "--yes", "--targets-file",
          str(listing))  # fmt: skip
    return max(o["id"] for o in json.loads(arret("order", "list", "--json")))


def measure(
    folder: Path, path: str, clients: int, rounds: int, idle: int, extra: dict[str, str],
    bursts: int = 1,
) -> dict[str, Any]:  # fmt: skip
    env = environment(folder, extra)
    http = free_port()
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [ARRET, "serve", "--dns", f"127.0.0.1:{free_port()}", "--http", f"127.0.0.1:{http}",
         "--probe-every", "off"], env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{http}{path}"
    latencies: list[float] = []

    def get(_: int = 0) -> int:
        sent = time.monotonic()
        with urllib.request.urlopen(url, timeout=300) as response:
            response.read()
        latencies.append(time.monotonic() - sent)
        return int(response.status)

    def sample_peak(done: threading.Event, peak: list[int]) -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], rss(server.pid))

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        first = time.monotonic()
        # Idle long enough for the server's own release (12-13 s), then `idle` s more.
        samples = []
        for second in range(1, 14 + idle + 1):
            time.sleep(max(0.0, first + second - time.monotonic()))
            samples.append(rss(server.pid))
        idle_rss = samples[-idle:]
        baseline = idle_rss[-1]
        latencies.clear()
        peak = [baseline]
        kept: list[int] = []
        seen = set(workers(server.pid))
        cpu_before = cpu(server.pid)
        for _ in range(bursts):
            done = threading.Event()
            sampler = threading.Thread(target=sample_peak, args=(done, peak))
            sampler.start()
            started = time.monotonic()
            try:
                for _ in range(rounds):
                    with ThreadPoolExecutor(clients) as pool:
                        statuses = list(pool.map(get, range(clients)))
                    assert statuses == [200] * clients
            finally:
                done.set()
                sampler.join()
            ended = time.monotonic()
            time.sleep(max(0.0, ended + AFTER - time.monotonic()))
            kept.append(rss(server.pid) - baseline)
            seen.update(workers(server.pid))
        cpu_burst = cpu(server.pid) - cpu_before
        after = baseline + kept[-1]
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    latencies.sort()
    return {
        "baseline": baseline,
        "noise": max(idle_rss) - min(idle_rss),
        "peak": peak[0],
        "after": after,
        "seconds": ended - started,
        "kept": kept,
        "cpu": cpu_burst,
        "median": statistics.median(latencies),
        "p90": latencies[int(len(latencies) * 0.9)],
        "replaced": len(seen) - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, nargs="+", default=[2])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--idle", type=int, default=5, help="seconds of idle RSS sampled")
    parser.add_argument("--bursts", type=int, default=1,
                        help="bursts, each followed by 20 s idle and an RSS sample")  # fmt: skip
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=["json"])
    parser.add_argument("--allocators", nargs="+", choices=list(ALLOCATORS),
                        default=["own", "tcache"])  # fmt: skip
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="arret-bench-mem-") as tmp:
        template = Path(tmp) / "template"
        template.mkdir()
        order = registry(template, args.names)
        # Runs outermost: on a shared machine, load that comes and goes falls on every
        # combination alike.
        combinations = list(itertools.product(args.pages, args.allocators, args.rounds))
        for run in range(1, args.runs + 1):
            for page, allocator, rounds in combinations:
                folder = Path(tmp) / f"{page}-{allocator}-{rounds}-{run}"
                shutil.copytree(template, folder)
                path = PAGES[page].format(order=order)
                m = measure(folder, path, args.clients, rounds, args.idle, ALLOCATORS[allocator],
                            args.bursts)  # fmt: skip
                rows.append((page, allocator, rounds, run, m))
                shutil.rmtree(folder)
        rows.sort(key=lambda row: (row[0], list(ALLOCATORS).index(row[1]), row[2], row[3]))
    print(f"{args.clients} concurrent reads of an order of {args.names:,} names, in rounds; "
          f"RSS in MiB, after = {AFTER:.0f} s after the last answer")  # fmt: skip
    print("| page | allocator | rounds | run | baseline (noise) | peak | after | kept "
          "| kept after each burst | last burst s | server CPU s | latency median s "
          "| latency p90 s | workers replaced |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for page, allocator, rounds, run, m in rows:
        print(f"| {page} | {LABELS[allocator]} | {rounds} | {run} "
              f"| {m['baseline'] / MIB:.1f} ({m['noise'] / MIB:.2f}) | {m['peak'] / MIB:.0f} "
              f"| {m['after'] / MIB:.1f} | {(m['after'] - m['baseline']) / MIB:.2f} "
              f"| {', '.join(f'{k / MIB:.2f}' for k in m['kept'])} | {m['seconds']:.1f} "
              f"| {m['cpu']:.1f} | {m['median']:.1f} "
              f"| {m['p90']:.1f} | {m['replaced']} |")  # fmt: skip
    if args.runs > 1:
        print("\n| page | allocator | rounds | kept MiB, median | kept MiB, most "
              "| peak MiB, median | server CPU s, median |")  # fmt: skip
        print("|---|---|---:|---:|---:|---:|---:|")
        for page in args.pages:
            for allocator in args.allocators:
                for rounds in args.rounds:
                    ms = [m for p, a, r, _, m in rows if (p, a, r) == (page, allocator, rounds)]
                    kept = [(m["after"] - m["baseline"]) / MIB for m in ms]
                    peak = statistics.median(m["peak"] / MIB for m in ms)
                    median = statistics.median(kept)
                    used = statistics.median(m["cpu"] for m in ms)
                    print(f"| {page} | {LABELS[allocator]} | {rounds} | {median:.2f} "
                          f"| {max(kept):.2f} | {peak:.0f} | {used:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
