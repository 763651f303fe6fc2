"""Real resolvers and secondaries configured from `arret operator config` output and
nothing else but loopback plumbing: the port to listen on, test names (`example.`) sent
to the test authority (`support.authority`), a working directory. Each runs in the
foreground as a subprocess ended by its PID; ports are chosen at run time.

`launch(kind, snippet, …)` starts one and returns a `Running` (its processes and port).
Debian packages are installed when missing (as root) by `support.debian`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from support.debian import require_package, require_program
from support.processes import Process, start_on_free_ports
from support.unbound import unbound_conf

ARRET = str(Path(sys.executable).parent / "arret")

#: Resolvers that answer clients (they enforce a policy) and secondaries (they hold a copy).
RESOLVERS = ("unbound", "bind", "powerdns", "knot-resolver")
SECONDARIES = ("knot", "nsd", "bind-secondary")
KINDS = RESOLVERS + SECONDARIES

#: Debian package and program of each kind.
PROGRAMS = {
    "unbound": ("unbound", "unbound"),
    "bind": ("named", "bind9"),
    "bind-secondary": ("named", "bind9"),
    "powerdns": ("pdns_recursor", "pdns-recursor"),
    "knot-resolver": ("kresd", "knot-resolver"),
    "knot": ("knotd", "knot"),
    "nsd": ("nsd", "nsd"),
}


@dataclass
class Running:
    kind: str
    port: int
    processes: list[Process] = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def output(self) -> str:
        return "\n".join(p.output() for p in self.processes)


def claimed_bound(snippet: str) -> float:
    """The bound (seconds) a snippet states for its resolver."""
    found = re.search(r"Arrêt bound: (\d+(?:\.\d+)?) s", snippet)
    assert found, snippet
    return float(found.group(1))


def claimed_lost_notify_bound(snippet: str) -> float | None:
    """The bound a snippet states for when a NOTIFY is lost (None: it does not say)."""
    found = re.search(r"Arrêt bound if a NOTIFY is lost: (\d+(?:\.\d+)?) s", snippet)
    return float(found.group(1)) if found else None


def _bind_conf(folder: Path, port: int, authority: int, snippet: str, resolver: bool) -> Path:
    policy = re.search(r"//   (response-policy .*;)", snippet)
    if resolver:
        assert policy, snippet
        recursion = f"""recursion yes; allow-recursion {{ 127.0.0.0/8; }};
    forwarders {{ 127.0.0.1 port {authority}; }}; forward only;  // nothing leaves loopback
    {policy.group(1)}"""
    else:
        recursion = "recursion no;"
    conf = folder / "named.conf"
    conf.write_text(f"""options {{
    directory "{folder}"; pid-file "{folder}/named.pid"; session-keyfile "{folder}/s.key";
    listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};
    allow-query {{ 127.0.0.0/8; }}; dnssec-validation no; notify no;
    {recursion}
}};
controls {{ }};
{snippet}""")
    return conf


def _knot_conf(folder: Path, port: int, snippet: str) -> Path:
    conf = folder / "knot.conf"
    conf.write_text(f"""server:
    listen: 127.0.0.1@{port}
    rundir: "{folder}"
    pidfile: "{folder}/knot.pid"
log:
  - target: stdout
    any: info
database:
    storage: "{folder}"
{snippet}""")
    return conf


def _nsd_conf(folder: Path, port: int, snippet: str) -> Path:
    conf = folder / "nsd.conf"
    conf.write_text(f"""server:
    ip-address: 127.0.0.1
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{folder}"
    database: ""
    pidfile: "{folder}/nsd.pid"
    xfrdfile: "{folder}/xfrd.state"
    xfrdir: "{folder}"
    zonelistfile: "{folder}/zone.list"
    logfile: "{folder}/nsd.log"
    verbosity: 2
remote-control:
    control-enable: no
{snippet}""")
    return conf


def _powerdns_conf(folder: Path, port: int, authority: int, snippet: str) -> Path:
    lua = folder / "rpz.lua"
    lua.write_text(snippet)
    # The snippet's recursor.conf lines, `lua-config-file` pointing at where it was saved.
    lines = re.findall(r"^--   ([a-z-]+=\S+)", snippet, re.MULTILINE)
    assert any(line.startswith("lua-config-file=") for line in lines), snippet
    printed = [line for line in lines if not line.startswith("lua-config-file=")]
    conf = folder / "recursor.conf"
    conf.write_text(
        "\n".join(
            [
                "local-address=127.0.0.1",
                f"local-port={port}",
                "allow-from=127.0.0.0/8",
                "daemon=no",
                f"socket-dir={folder}",
                "dnssec=off",
                f"forward-zones=example=127.0.0.1:{authority}",
                f"lua-config-file={lua}",
                *printed,
            ]
        )
        + "\n"
    )
    return conf


def sync_command(snippet: str, folder: Path) -> list[str]:
    """The `arret feed sync` command a Knot Resolver snippet prints, its secret file moved
    into `folder` (and written there, as the snippet says)."""
    secret = re.search(r"echo '(\S+)' > (\S+)", snippet)
    assert secret, snippet
    # The command's lines: from `arret feed sync` while a line ends with a backslash.
    lines = snippet.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("--   arret feed sync"))
    command = [lines[first]]
    while command[-1].endswith("\\"):
        command.append(lines[first + len(command)])
    key_file = folder / "sync.tsig"
    key_file.write_text(secret.group(1) + "\n")
    key_file.chmod(0o600)
    words = " ".join(line.removeprefix("--").rstrip("\\") for line in command).split()
    words = [str(key_file) if w == secret.group(2) else w for w in words]
    assert words[:3] == ["arret", "feed", "sync"], words
    return [ARRET, *words[1:]]


def launch(
    kind: str,
    snippet: str,
    folder: Path,
    authority: int,
    ready: Callable[[int], bool],
    env: dict[str, str] | None = None,
) -> Running:
    """Start `kind` configured from `snippet` until `ready(port)`; `folder` is its own."""
    program, package = PROGRAMS[kind]
    binary = require_program(program, package)
    folder.mkdir(parents=True, exist_ok=True)
    running = Running(kind, 0)
    if kind == "knot-resolver":
        require_package("lua-cqueues")  # kresd watches RPZ files with cqueues
        argv = sync_command(snippet, folder)
        sync = Process(argv, folder / "sync.log", env=env)
        running.processes.append(sync)
        out = Path(argv[argv.index("--out") + 1])
        from support.processes import wait_until

        wait_until(lambda: out.exists() or sync.popen.poll() is not None, 30, "feed sync")
        assert out.exists(), sync.output()

    def start(ports: tuple[int, ...]) -> Process:
        port = ports[0]
        if kind == "unbound":
            conf = unbound_conf(folder, "unbound", port, authority, rest=snippet)
            return Process([binary, "-d", "-c", str(conf)], folder / "unbound.log")
        if kind in ("bind", "bind-secondary"):
            conf = _bind_conf(folder, port, authority, snippet, kind == "bind")
            return Process([binary, "-g", "-c", str(conf)], folder / "named.log")
        if kind == "powerdns":
            _powerdns_conf(folder, port, authority, snippet)
            return Process([binary, f"--config-dir={folder}"], folder / "pdns.log")
        if kind == "knot-resolver":
            # Test names go to the test authority by a chain rule ahead of the snippet's
            # (policy.STUB itself would end the rule list before the RPZ is consulted; and
            # after it, a passthru would be resolved from the root, beyond loopback).
            (folder / "kresd.conf").write_text(
                f"net.listen('127.0.0.1', {port}, {{ kind = 'dns' }})\n"
                f"local stub = policy.STUB({{'127.0.0.1@{authority}'}})\n"
                "policy.add(policy.suffix(function(state, req) stub(state, req) return nil end,"
                " policy.todnames({'example.'})))\ntrust_anchors.remove('.')\n" + snippet
            )
            (folder / "cache").mkdir(exist_ok=True)
            return Process(
                [binary, "-n", "-c", str(folder / "kresd.conf"), str(folder / "cache")],
                folder / "kresd.log",
            )
        if kind == "knot":
            conf = _knot_conf(folder, port, snippet)
            return Process([binary, "-c", str(conf)], folder / "knotd.log")
        if kind == "nsd":
            conf = _nsd_conf(folder, port, snippet)
            return Process([binary, "-d", "-c", str(conf)], folder / "nsd.out")
        raise AssertionError(f"no launcher for {kind}")

    try:
        process, (port,) = start_on_free_ports(
            1, start, lambda p: ready(p[0]), 40, f"{kind} to load the feed"
        )
    except BaseException:
        running.stop()
        raise
    running.processes.append(process)
    running.port = port
    return running
