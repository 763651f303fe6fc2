"""Real secondaries of the feed, configured by hand: Knot DNS (`knotd`), NSD (`nsd`) and
BIND (`named`), each pulling one operator's zone from the feed with its TSIG key and
accepting NOTIFY from loopback. Each runs in the foreground as a subprocess ended by its
PID, on a port chosen at run time.

Each secondary listens on, and transfers from, an address of its own in 127.0.0.0/8
(all of it is loopback on Linux): the feed tells resolvers apart by address, so three
secondaries on 127.0.0.1 would look like one resolver to its delivery tracking. Knot DNS
and NSD bind any such address; BIND listens only on addresses an interface carries, so
it gets 127.0.0.1 itself (`BIND_ADDRESS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode

from support.debian import require_program
from support.processes import Process, start_on_free_ports

#: Where each kind listens and transfers from in `start_secondary`'s callers' labs.
ADDRESSES = {"bind": "127.0.0.1", "knot": "127.0.0.2", "nsd": "127.0.0.3"}
BIND_ADDRESS = ADDRESSES["bind"]


@dataclass(frozen=True)
class Tsig:
    name: str
    secret: str
    algorithm: str = "hmac-sha256"

    @staticmethod
    def parse(printed: str) -> Tsig:
        """The key as `arret operator add` prints it."""
        name = re.search(r"name:\s+(\S+)", printed)
        secret = re.search(r"secret:\s+(\S+)", printed)
        algorithm = re.search(r"algorithm:\s+(\S+)", printed)
        assert name and secret and algorithm, printed
        return Tsig(name.group(1), secret.group(1), algorithm.group(1))


@dataclass
class Secondary:
    kind: str
    zone: str
    address: str
    port: int
    process: Process

    @property
    def target(self) -> str:
        """Its NOTIFY target, as `arret operator add/edit --notify` takes it."""
        return f"{self.address}:{self.port}"

    def serial(self, timeout: float = 0.5) -> int | None:
        """The serial it serves (authoritatively), or None before its first transfer."""
        query = dns.message.make_query(self.zone, "SOA")
        query.flags &= ~dns.flags.RD
        answer = dns.query.udp(query, self.address, port=self.port, timeout=timeout)
        if answer.rcode() != dns.rcode.NOERROR or not answer.answer:
            return None
        return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.process.stop()


def knot_conf(folder: Path, address: str, port: int, zone: str, primary: tuple[str, int],
              key: Tsig) -> str:  # fmt: skip
    """Knot DNS 3.2 as a secondary: no zone file written (the zone lives in its journal),
    NOTIFY accepted from loopback without a key (the feed does not sign NOTIFY)."""
    return f"""server:
    rundir: "{folder}"
    pidfile: "{folder}/knot.pid"
    listen: {address}@{port}
log:
  - target: stderr
    any: info
database:
    storage: "{folder}"
control:
    listen: "{folder}/knot.sock"
key:
  - id: {key.name}
    algorithm: {key.algorithm}
    secret: {key.secret}
remote:
  - id: feed
    address: {primary[0]}@{primary[1]}
    via: {address}
    key: {key.name}
acl:
  - id: notify-from-feed
    address: 127.0.0.0/8
    action: notify
template:
  - id: default
    storage: "{folder}"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
zone:
  - domain: {zone}
    master: feed
    acl: notify-from-feed
"""


def nsd_conf(folder: Path, address: str, port: int, zone: str, primary: tuple[str, int],
             key: Tsig) -> str:  # fmt: skip
    """NSD 4.6 as a secondary, requesting IXFR (falling back to AXFR) with the key."""
    return f"""server:
    ip-address: {address}@{port}
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{folder}"
    database: ""
    pidfile: "{folder}/nsd.pid"
    xfrdfile: "{folder}/xfrd.state"
    xfrdir: "{folder}"
    zonelistfile: "{folder}/zone.list"
    verbosity: 2
    server-count: 1
remote-control:
    control-enable: no
key:
    name: "{key.name}"
    algorithm: {key.algorithm}
    secret: "{key.secret}"
zone:
    name: "{zone}"
    zonefile: "{folder}/{zone}zone"
    allow-notify: 127.0.0.0/8 NOKEY
    request-xfr: {primary[0]}@{primary[1]} {key.name}
    outgoing-interface: {address}
"""


def bind_conf(folder: Path, address: str, port: int, zone: str, primary: tuple[str, int],
              key: Tsig) -> str:  # fmt: skip
    """BIND 9.18 as a secondary, with BIND's default refresh floors left as they are
    (`min-refresh-time` 300 s): after a lost NOTIFY it would wait five minutes."""
    return f"""options {{
    directory "{folder}"; pid-file "{folder}/named.pid"; session-keyfile "{folder}/s.key";
    listen-on port {port} {{ {address}; }}; listen-on-v6 {{ none; }};
    recursion no; allow-query {{ 127.0.0.0/8; }}; dnssec-validation no; notify no;
    transfer-source {address}; query-source address {address}; allow-notify {{ 127.0.0.0/8; }};
}};
controls {{ }};
key "{key.name}" {{ algorithm {key.algorithm}; secret "{key.secret}"; }};
zone "{zone.rstrip(".")}" {{ type secondary; file "{zone}db";
    primaries {{ {primary[0]} port {primary[1]} key "{key.name}"; }}; }};
"""


CONFS: dict[str, tuple[str, str, Callable[..., str]]] = {
    # kind: (program, Debian package, configuration)
    "knot": ("knotd", "knot", knot_conf),
    "nsd": ("nsd", "nsd", nsd_conf),
    "bind": ("named", "bind9", bind_conf),
}


def start_secondary(
    kind: str, folder: Path, address: str, zone: str, primary: tuple[str, int], key: Tsig,
    timeout: float = 20,
) -> Secondary:  # fmt: skip
    """Start a `kind` secondary of `zone` (its own folder under `folder`) on a free port
    of `address`, ready when it answers a query."""
    program, package, conf = CONFS[kind]
    binary = require_program(program, package)
    home = folder / kind
    home.mkdir(parents=True, exist_ok=True)

    def start(ports: tuple[int, ...]) -> Process:
        path = home / f"{kind}.conf"
        path.write_text(conf(home, address, ports[0], zone, primary, key))
        argv = {
            "knot": [binary, "-c", str(path)],
            "nsd": [binary, "-d", "-c", str(path)],
            "bind": [binary, "-g", "-c", str(path)],
        }[kind]
        return Process(argv, home / f"{kind}.log", cwd=home)

    def ready(ports: tuple[int, ...]) -> bool:
        query = dns.message.make_query(zone, "SOA")
        dns.query.udp(query, address, port=ports[0], timeout=0.3)
        return True

    process, (port,) = start_on_free_ports(1, start, ready, timeout, f"{kind} to answer")
    return Secondary(kind, zone, address, port, process)
