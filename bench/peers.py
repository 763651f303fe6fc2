"""What the feed benchmarks share: `arret serve` and Knot DNS started on loopback ports,
timing a command or a transfer, the HTTP API's amendment, a process's peak memory.

Imported by bench/feed.py and bench/scale.py (after they put tests/ on sys.path).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
from support.processes import Process, rcode, start_on_free_ports, wait_until

ARRET = str(Path(sys.executable).parent / "arret")
#: Programs the benchmarks run, and the Debian packages that bring them.
TOOLS = ("dig", "kdig", "knotd", "knotc", "unbound")
PACKAGES = "knot knot-dnsutils bind9-dnsutils unbound"


def tools() -> dict[str, str]:
    """Each of TOOLS's path; exits naming the missing ones."""
    found = {t: shutil.which(t) or shutil.which(t, path="/usr/sbin") for t in TOOLS}
    missing = [t for t, p in found.items() if not p]
    if missing:
        sys.exit(f"missing {missing}: apt-get install {PACKAGES}")
    return {t: p or "" for t, p in found.items()}


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_run(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=env)  # fmt: skip
    return time.perf_counter() - start


def serial_of(port: int, zone: str) -> int:
    answer = dns.query.udp(dns.message.make_query(zone, "SOA"), "127.0.0.1", port=port,
                           timeout=1)  # fmt: skip
    return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]


def axfr_seconds(kdig: str, port: int, zone: str, runs: int = 3) -> float:
    """The fastest of `runs` full transfers of `zone` by `kdig`, wall time of the client."""
    argv = [kdig, "+noidn", "+tcp", "-p", str(port), "@127.0.0.1", zone, "AXFR"]
    return min(timed_run(argv) for _ in range(runs))


def api_amend(port: int, token: str, order: int, name: str, dry_run: bool = False) -> None:
    """Add one name to an order through the HTTP API of the running `arret serve`."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/orders/{order}/amend" + ("?dry_run=true" if dry_run else ""),
        json.dumps({"add": [{"name": name}]}).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        assert response.status == 200, response.read()


def authority_token(env: dict[str, str]) -> str:
    created = subprocess.run([ARRET, "token", "create", "--role", "authority"], env=env,
                             check=True, capture_output=True, text=True)  # fmt: skip
    return created.stdout.split()[-1]


def start_serve(
    folder: Path, env: dict[str, str], zone: str, timeout: float
) -> tuple[Process, int, int]:
    """`arret serve` on free DNS and HTTP ports, once `zone` answers its SOA; the process,
    its DNS port and its HTTP port."""
    serve, (dns_port, http_port) = start_on_free_ports(
        2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                              f"127.0.0.1:{p[1]}"], folder / "serve.log", env=env),
        lambda p: serial_of(p[0], zone) > 0, timeout, "arret serve",
    )  # fmt: skip
    return serve, dns_port, http_port


#: Seconds one poll of a resolver waits for its answer. Unbound answers a query on the
#: thread its source port hashes to, and the thread that took a transfer then rewrites its
#: saved copy of the zone (about 2 s at a million names), while the other thread already
#: answers from the updated zone. A poll that waited 2 s on the busy thread timed the poll,
#: not the resolver (every run then measured about 2.5 s, for Knot's feed as for Arrêt's):
#: each poll is a fresh socket, so a fresh source port, given up after this long.
POLL_ANSWER = 0.05


def until_nxdomain(port: int, name: str, timeout: float, what: str) -> None:
    """Poll the resolver on `port` until it first answers NXDOMAIN for `name`."""
    wait_until(lambda: rcode(port, name, timeout=POLL_ANSWER) == "NXDOMAIN", timeout, what,
               step=0.005)  # fmt: skip


@dataclass
class Knot:
    """knotd serving one zone from a file (Arrêt's export of it), NOTIFYing one address."""

    folder: Path
    knotd: str
    knotc: str
    zone: str
    port: int
    process: Process | None = None

    @property
    def conf(self) -> Path:
        return self.folder / "knot.conf"

    def start(self, zone_file: Path, notify_port: int, timeout: float) -> float:
        """Start knotd; the seconds until it answers the zone's SOA (its load time)."""
        (self.folder / "knot").mkdir(exist_ok=True)
        self.conf.write_text(f"""server:
    listen: 127.0.0.1@{self.port}
    rundir: "{self.folder}/knot"
log:
  - target: stderr
    any: warning
database:
    storage: "{self.folder}/knot"
remote:
  - id: resolver
    address: 127.0.0.1@{notify_port}
acl:
  - id: local
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    storage: "{self.folder}"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: {self.zone}
    file: "{zone_file}"
    acl: local
    notify: resolver
""")
        start = time.perf_counter()
        self.process = Process([self.knotd, "-c", str(self.conf)], self.folder / "knot.log")
        wait_until(lambda: serial_of(self.port, self.zone) > 0, timeout, "knotd to load",
                   step=0.02)  # fmt: skip
        return time.perf_counter() - start

    def commit(self, name: str) -> float:
        """Add `name` (NXDOMAIN) by `knotc zone-begin/zone-set/zone-commit`; its seconds."""
        start = time.perf_counter()
        base = [self.knotc, "-c", str(self.conf)]
        for args in (["zone-begin", self.zone],
                     ["zone-set", self.zone, name, "60", "CNAME", "."],
                     ["zone-commit", self.zone]):  # fmt: skip
            subprocess.run(base + args, check=True, capture_output=True)
        return time.perf_counter() - start

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
