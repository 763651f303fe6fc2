"""Memory of `arret serve` under a burst of concurrent HTTP requests, and after it.

A real `arret serve` on loopback (a temporary SQLite registry: the demo, plus one order of
N names); 200 clients at once read that order's public JSON, `--rounds` times; the
server's RSS before, at its peak, and 10 s and 30 s after the last answer. Run once with the
allocator `arret serve` picks for itself (the C allocator, two glibc arenas, a trim when
idle) and once with CPython's own (`PYTHONMALLOC=pymalloc`), in the same run.

    python bench/http_memory.py [--names 5000] [--clients 200] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
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


def measure(folder: Path, names: int, clients: int, rounds: int, extra: dict[str, str]) -> dict:
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
           "ARRET_LOG_KEY": str(folder / "log.key"), **extra}  # fmt: skip

    def arret(*args: str) -> str:
        run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True, check=True)
        return run.stdout

    arret("demo", "--no-tokens")
    listing = folder / "names.txt"
    listing.write_text("".join(f"n{i:07d}-mirror.example\n" for i in range(names)))
    arret("order", "add", "--reference", "bench", "--authority", "court", "--decided",
          "2026-11-01", "--duration", "30d", "--operator", "orange", "--targets-file",
          str(listing))  # fmt: skip
    order = max(o["id"] for o in json.loads(arret("order", "list", "--json")))
    http = free_port()
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [ARRET, "serve", "--dns", f"127.0.0.1:{free_port()}", "--http", f"127.0.0.1:{http}",
         "--probe-every", "off"], env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{http}/api/public/orders/{order}"

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
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for label, extra in (("arret serve's own (malloc, trim)", {}),
                         ("CPython's pymalloc", {"PYTHONMALLOC": "pymalloc"})):  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="arret-bench-mem-") as tmp:
            rows.append((label, measure(Path(tmp), args.names, args.clients, args.rounds, extra)))
    print(f"{args.rounds} x {args.clients} concurrent reads of an order of {args.names:,} names")
    print("| allocator | baseline MiB | peak MiB | 10 s after MiB | 30 s after MiB | kept MiB "
          "| burst s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, m in rows:
        print(f"| {label} | {m['baseline'] / MIB:.0f} | {m['peak'] / MIB:.0f} | "
              f"{m['after'] / MIB:.0f} | {m['later'] / MIB:.0f} | "
              f"{(m['later'] - m['baseline']) / MIB:.0f} | "
              f"{m['seconds']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
