"""Memory of `arret serve` under a burst of concurrent HTTP requests, and after it.

A real `arret serve` on loopback (a temporary SQLite registry: the demo, plus one order of
N names); 200 clients at once read that order's public JSON (`--pages json`) or its HTML
page in the register (`html`), `--rounds` times in a row; the server's RSS before, at its
peak, and 10 s and 30 s after the last answer ("kept": 30 s after minus before). With the
allocator `arret serve` picks for itself (the C allocator, two glibc arenas, a trim when
idle) and with CPython's own (`PYTHONMALLOC=pymalloc`), in the same run. Each combination
of page, allocator and rounds is measured `--runs` times, each on a fresh server.

    python bench/http_memory.py [--names 5000] [--clients 200] [--rounds 2 5] [--runs 3]
        [--pages json html] [--allocators own pymalloc]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ARRET = str(Path(sys.executable).parent / "arret")
MIB = 2**20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) * 1024


#: The page each client reads, by `--pages` name.
PAGES = {"json": "/api/public/orders/{order}", "html": "/register/{order}"}
ALLOCATORS = {"own": {}, "pymalloc": {"PYTHONMALLOC": "pymalloc"}}
LABELS = {"own": "arret serve's own (malloc, trim)", "pymalloc": "CPython's pymalloc"}


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
          "2026-11-01", "--duration", "30d", "--operator", "orange", "--targets-file",
          str(listing))  # fmt: skip
    return max(o["id"] for o in json.loads(arret("order", "list", "--json")))


def measure(folder: Path, path: str, clients: int, rounds: int, extra: dict[str, str]) -> dict:
    env = environment(folder, extra)
    http = free_port()
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [ARRET, "serve", "--dns", f"127.0.0.1:{free_port()}", "--http", f"127.0.0.1:{http}",
         "--probe-every", "off"], env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{http}{path}"

    def get(_: int = 0) -> int:
        with urllib.request.urlopen(url, timeout=300) as response:
            response.read()
            return int(response.status)

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
        time.sleep(1)
        baseline = peak = rss(server.pid)
        started = time.monotonic()
        for _ in range(rounds):
            with ThreadPoolExecutor(clients) as pool:
                statuses = list(pool.map(get, range(clients)))
            assert statuses == [200] * clients
            peak = max(peak, rss(server.pid))
        took = time.monotonic() - started
        time.sleep(10)
        after = rss(server.pid)
        time.sleep(20)
        later = rss(server.pid)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    return {"baseline": baseline, "peak": peak, "after": after, "later": later, "seconds": took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, nargs="+", default=[2])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=["json"])
    parser.add_argument("--allocators", nargs="+", choices=sorted(ALLOCATORS),
                        default=["own", "pymalloc"])  # fmt: skip
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="arret-bench-mem-") as tmp:
        template = Path(tmp) / "template"
        template.mkdir()
        order = registry(template, args.names)
        for page in args.pages:
            for allocator in args.allocators:
                for rounds in args.rounds:
                    for run in range(1, args.runs + 1):
                        folder = Path(tmp) / f"{page}-{allocator}-{rounds}-{run}"
                        shutil.copytree(template, folder)
                        path = PAGES[page].format(order=order)
                        m = measure(folder, path, args.clients, rounds, ALLOCATORS[allocator])
                        rows.append((page, allocator, rounds, run, m))
                        shutil.rmtree(folder)
    print(f"{args.clients} concurrent reads of an order of {args.names:,} names, in rounds")
    print("| page | allocator | rounds | run | baseline MiB | peak MiB | 10 s after MiB "
          "| 30 s after MiB | kept MiB | burst s |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page, allocator, rounds, run, m in rows:
        print(f"| {page} | {LABELS[allocator]} | {rounds} | {run} | {m['baseline'] / MIB:.0f} "
              f"| {m['peak'] / MIB:.0f} | {m['after'] / MIB:.0f} | {m['later'] / MIB:.0f} "
              f"| {(m['later'] - m['baseline']) / MIB:.1f} | {m['seconds']:.1f} |")  # fmt: skip
    if args.runs > 1:
        print("\n| page | allocator | rounds | kept MiB, median | kept MiB, most |")
        print("|---|---|---:|---:|---:|")
        for page in args.pages:
            for allocator in args.allocators:
                for rounds in args.rounds:
                    kept = [(m["later"] - m["baseline"]) / MIB for p, a, r, _, m in rows
                            if (p, a, r) == (page, allocator, rounds)]  # fmt: skip
                    print(f"| {page} | {LABELS[allocator]} | {rounds} "
                          f"| {statistics.median(kept):.1f} | {max(kept):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
