"""Several instances of `arret serve` on one PostgreSQL (a throwaway cluster on loopback),
one order of N names to one operator:

- takeover: the publisher is killed (kill -9) and a new instance started in its place,
  `--kills` times; seconds until another instance says it publishes (`arret_publisher`
  in its `/metrics`), polled every 20 ms;
- write lag: one name added through the API of one instance, `--writes` times; seconds
  from the request to every instance serving the new serial (SOA polled every 5 ms), the
  median and the worst;
- transfers per second: `--clients` concurrent `kdig` AXFR clients for `--seconds`,
  against one instance, then spread over all of them; complete transfers per second.

    .venv/bin/python bench/cluster.py [--names 100000] [--instances 3] [--kills 3]
        [--writes 5] [--clients 6] [--seconds 20]

Prints a markdown table. On this 2-core machine the instances, PostgreSQL and the kdig
clients share two cores: the transfer rate shows what one machine can do, not what three
machines would; the takeover and the lag are what the instances themselves add.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import peers  # noqa: E402
from support.authority import free_port  # noqa: E402
from support.postgres import Cluster  # noqa: E402
from support.processes import Process, wait_until  # noqa: E402

ARRET = peers.ARRET
ZONE = "op.rpz.arret."


class Instance:
    def __init__(self, folder: Path, env: dict[str, str], number: int) -> None:
        self.number = number
        self.dns, self.http = free_port(), free_port()
        self.process = Process([ARRET, "serve", "--dns", f"127.0.0.1:{self.dns}", "--http",
                                f"127.0.0.1:{self.http}", "--probe-every", "off"],
                               folder / f"serve-{number}.log", env=env)  # fmt: skip
        wait_until(lambda: self.publisher() is not None, 600, f"instance {number}", step=0.2)

    def publisher(self) -> bool | None:
        try:
            url = f"http://127.0.0.1:{self.http}/metrics"
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return None
        found = re.search(r"^arret_publisher (\S+)$", text, re.M)
        return None if found is None else float(found.group(1)) == 1

    def serial(self) -> int:
        return peers.serial_of(self.dns, ZONE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    kdig = peers.tools()["kdig"]
    folder = Path(tempfile.mkdtemp(prefix="arret-cluster-"))
    cluster = Cluster().start()
    instances: list[Instance] = []
    rows: list[tuple[str, str]] = []
    try:
        env = {**os.environ, "ARRET_DB": cluster.create_database(),
               "ARRET_LOG_KEY": str(folder / "log.key")}  # fmt: skip
        run = lambda *a: subprocess.run([ARRET, *a], env=env, check=True,  # noqa: E731
                                        capture_output=True, text=True).stdout  # fmt: skip
        run("init")
        run("operator", "add", "op", "--allow-from", "127.0.0.0/8")
        names = folder / "names.txt"
        names.write_text("".join(f"n{i}.example\n" for i in range(args.names)))
        # It prints `order ID registered: …`.
        order = int(run("order", "add", "--yes", "--reference", "R", "--authority", "court",
                        "--decided", "2026-11-01", "--duration", "30d", "--operator", "op",
                        "--targets-file", str(names)).split()[1])  # fmt: skip
        token = peers.authority_token(env)
        instances = [Instance(folder, env, n) for n in range(1, args.instances + 1)]

        takeovers = []
        for k in range(args.kills):
            now = list(instances)
            wait_until(lambda now=now: sum(bool(i.publisher()) for i in now) == 1, 30,
                       "one publisher")  # fmt: skip
            publisher = next(i for i in instances if i.publisher())
            publisher.process.popen.send_signal(signal.SIGKILL)
            publisher.process.popen.wait()
            killed = time.monotonic()
            rest = [i for i in instances if i is not publisher]
            wait_until(lambda rest=rest: any(i.publisher() for i in rest), 60, "a takeover",
                       step=0.02)  # fmt: skip
            takeovers.append(time.monotonic() - killed)
            instances = [*rest, Instance(folder, env, args.instances + 1 + k)]
        rows.append(("takeover after kill -9 of the publisher, s",
                     f"median {statistics.median(takeovers):.2f}, worst {max(takeovers):.2f} "
                     f"({len(takeovers)} kills)"))  # fmt: skip

        lags = []
        for w in range(args.writes):
            before = {i.number: i.serial() for i in instances}
            started = time.monotonic()
            peers.api_amend(instances[w % len(instances)].http, token, order, f"w{w}.example")
            wait_until(lambda b=before: all(i.serial() != b[i.number] for i in instances), 60,
                       "every instance to serve the write", step=0.005)  # fmt: skip
            lags.append(time.monotonic() - started)
        rows.append(("API write → every instance serves it, s",
                     f"median {statistics.median(lags):.2f}, worst {max(lags):.2f} "
                     f"({len(lags)} writes)"))  # fmt: skip

        for label, targets in (("one instance", instances[:1]), ("all instances", instances)):
            done = transfers(kdig, [i.dns for i in targets], args.clients, args.seconds)
            rows.append((f"AXFRs of {args.names:,} names per second, {args.clients} clients, "
                         f"{label} ({len(targets)})", f"{done / args.seconds:.2f}"))  # fmt: skip
    finally:
        for instance in instances:
            instance.process.stop()
        cluster.stop()
    print(f"\n{args.instances} instances of arret serve on one PostgreSQL, "
          f"one order of {args.names:,} names\n")  # fmt: skip
    print("| figure | value |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(json.dumps({"folder": str(folder)}))


def transfers(kdig: str, ports: list[int], clients: int, seconds: float) -> int:
    """Complete AXFRs by `clients` threads, each running kdig against the ports in turn."""
    count = 0
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def client(first: int) -> None:
        nonlocal count
        n = first
        while time.monotonic() < until:
            port = ports[n % len(ports)]
            n += 1
            argv = [kdig, "+noidn", "+tcp", "-p", str(port), "@127.0.0.1", ZONE, "AXFR"]
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if done.returncode == 0 and time.monotonic() < until:
                with lock:
                    count += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count


if __name__ == "__main__":
    main()
