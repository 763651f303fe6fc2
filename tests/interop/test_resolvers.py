"""Real resolvers pull the feed from a running `arret serve` over loopback, configured
from `arret operator config` output: Unbound (by source address; it cannot sign) and BIND
(with the operator's TSIG key). Debian's `unbound` and `bind9` are installed by the test
setup when missing (as root)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.rcode
import dns.rdatatype
import pytest
from support.authority import ADDRESS, Authority
from support.debian import require_package, require_program
from support.processes import Process, query, rcode, start_on_free_ports, wait_until
from support.unbound import unbound_conf

ARRET = str(Path(sys.executable).parent / "arret")


@dataclass
class Lab:
    folder: Path
    env: dict[str, str]
    feed_port: int
    unbound: int
    bind: int
    serve: Process
    powerdns: int = 0
    authority: int = 0

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    def both(self) -> tuple[int, int]:
        """The resolvers that act on NOTIFY (PowerDNS Recursor refreshes on a timer)."""
        return self.unbound, self.bind


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    unbound_bin = require_program("unbound", "unbound")
    named_bin = require_program("named", "bind9")
    pdns_bin = require_program("pdns_recursor", "pdns-recursor")
    folder = tmp_path_factory.mktemp("interop")
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
    authority = Authority()
    processes: list[Process] = []
    lab = Lab(folder, env, 0, 0, 0, None)  # type: ignore[arg-type]
    try:
        lab.arret("init")
        lab.arret("operator", "add", "unb", "--allow-from", "127.0.0.0/8")
        lab.arret("operator", "add", "bnd")
        lab.arret("operator", "add", "pdn")
        lab.authority = authority.port
        lab.arret("allow", "add", "press.blocked.example", "--reason", "a newspaper")
        order = ["order", "add", "--authority", "TJ Paris", "--decided", "2026-11-01",
                 "--duration", "30d", "--operator", "unb", "--operator", "bnd",
                 "--operator", "pdn"]  # fmt: skip
        lab.arret(*order, "--reference", "R1", "blocked.example")
        lab.arret(*order, "--reference", "R2", "--action", "nodata", "quiet.example")
        lab.arret(*order, "--reference", "R3", "--action", "notice", "explained.example")
        # Every server binds ports chosen at run time, and is started again on others if
        # they were taken meanwhile (support.processes); resolvers are told of afterwards.
        serve, (feed_port, _) = start_on_free_ports(
            2, lambda p: Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                                  f"127.0.0.1:{p[1]}", "-v", "--notice-host", "notice.example"],
                                 folder / "serve.log", env=env),
            lambda p: rcode(p[0], "unb.rpz.arret.", "SOA") == "NOERROR", 20,
            "arret serve to answer",
        )  # fmt: skip
        processes.append(serve)
        lab.serve, lab.feed_port = serve, feed_port
        server = f"127.0.0.1:{feed_port}"
        snippet = lab.arret("operator", "config", "unb", "--resolver", "unbound", "--server",
                            server, "--dir", str(folder))  # fmt: skip
        bind_snippet = lab.arret("operator", "config", "bnd", "--resolver", "bind",
                                 "--server", server, "--dir", str(folder))  # fmt: skip
        policy = re.search(r"//   (response-policy .*;)", bind_snippet)
        assert policy, bind_snippet
        lua = lab.arret("operator", "config", "pdn", "--resolver", "powerdns", "--server", server,
                        "--dir", str(folder))  # fmt: skip
        # The feed's refresh (60 s) bounds how late PowerDNS Recursor follows; the test
        # shortens it rather than wait a minute.
        (folder / "rpz.lua").write_text(re.sub(r"refresh = \d+", "refresh = 2", lua))

        def bind_on(ports: tuple[int, ...]) -> Process:
            assert policy
            (folder / "named.conf").write_text(
                f"""options {{
    directory "{folder}"; pid-file "{folder}/named.pid"; session-keyfile "{folder}/s.key";
    listen-on port {ports[0]} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};
    recursion yes; allow-query {{ 127.0.0.0/8; }}; allow-recursion {{ 127.0.0.0/8; }};
    dnssec-validation no; notify no;
    forwarders {{ 127.0.0.1 port {authority.port}; }}; forward only;  // nothing leaves loopback
    {policy.group(1)}
}};
controls {{ }};
{bind_snippet}"""
            )
            return Process([named_bin, "-g", "-c", str(folder / "named.conf")],
                           folder / "named.log")  # fmt: skip

        def pdns_on(ports: tuple[int, ...]) -> Process:
            (folder / "recursor.conf").write_text(
                f"""local-address=127.0.0.1
local-port={ports[0]}
allow-from=127.0.0.0/8
daemon=no
socket-dir={folder}
dnssec=off
forward-zones=example=127.0.0.1:{authority.port}
lua-config-file={folder}/rpz.lua
"""
            )
            return Process([pdns_bin, f"--config-dir={folder}"], folder / "pdns.log")

        def unbound_on(ports: tuple[int, ...]) -> Process:
            conf = unbound_conf(folder, "unbound", ports[0], authority.port, rest=snippet)
            return Process([unbound_bin, "-d", "-c", str(conf)], folder / "unbound.log")

        ports = {}
        for name, start in (("PowerDNS Recursor", pdns_on), ("Unbound", unbound_on),
                            ("BIND", bind_on)):  # fmt: skip
            process, (ports[name],) = start_on_free_ports(
                1,
                start,
                lambda p: rcode(p[0], "blocked.example") == "NXDOMAIN",
                30,
                f"{name} to load the feed",
            )
            processes.append(process)
        lab.powerdns, lab.unbound, lab.bind = (ports["PowerDNS Recursor"], ports["Unbound"],
                                               ports["BIND"])  # fmt: skip
        lab.arret("operator", "edit", "unb", "--notify", f"127.0.0.1:{lab.unbound}")
        lab.arret("operator", "edit", "bnd", "--notify", f"127.0.0.1:{lab.bind}")
        yield lab
    finally:
        for process in processes:
            process.stop()
        authority.close()


@pytest.mark.parametrize("resolver", ["unbound", "bind", "powerdns"])
def test_each_action_is_enforced(lab: Lab, resolver: str) -> None:
    port = {"unbound": lab.unbound, "bind": lab.bind, "powerdns": lab.powerdns}[resolver]
    assert rcode(port, "blocked.example") == "NXDOMAIN"
    assert rcode(port, "www.blocked.example") == "NXDOMAIN"  # the whole site
    assert rcode(port, "deep.cdn.blocked.example") == "NXDOMAIN"
    nodata = query(port, "quiet.example")
    assert dns.rcode.to_text(nodata.rcode()) == "NOERROR" and not nodata.answer
    notice = query(port, "explained.example")
    cnames = [r for r in notice.answer if r.rdtype == dns.rdatatype.CNAME]
    assert cnames, notice.to_text()
    assert cnames[0][0].target.to_text() == "notice.example."  # type: ignore[attr-defined]
    # Bystanders resolve: an allow-listed name inside the blocked site, and other names.
    for name in ("press.blocked.example", "unrelated.example", "notblocked.example"):
        answer = query(port, name)
        assert [r.to_text() for rrset in answer.answer for r in rrset] == [ADDRESS], name


def test_a_mirror_added_by_amendment_arrives_by_ixfr_within_2_seconds(lab: Lab) -> None:
    before = lab.serve.output().count("ixfr of ")
    lab.arret("order", "amend", "1", "--add", "mirror-site.example")
    took = {
        port: wait_until(
            lambda p=port: rcode(p, "mirror-site.example") == "NXDOMAIN",
            2.0,
            f"resolver on {port} to block the mirror",
        )
        for port in lab.both()
    }
    assert all(t <= 2.0 for t in took.values()), took
    log = lab.serve.output()
    assert (
        log.count("ixfr of unb") + log.count("ixfr of bnd") >= 2 and log.count("ixfr of ") > before
    )
    assert "axfr of unb" not in log.split("ixfr of ")[-1]  # no full transfer for the change


def test_an_order_ends_by_itself_at_its_expiry(lab: Lab) -> None:
    now = datetime.now(UTC)
    ends = now + timedelta(seconds=4)
    lab.arret("order", "add", "--reference", "R4", "--authority", "TJ Paris", "--decided",
              "2026-11-01", "--expires", iso(ends), "--operator", "unb", "--operator", "bnd",
              "brief.example")  # fmt: skip
    for port in lab.both():
        wait_until(lambda p=port: rcode(p, "brief.example") == "NXDOMAIN", 2.0, "block")
    time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()))
    for port in lab.both():
        wait_until(lambda p=port: rcode(p, "brief.example") == "NOERROR", 2.0,
                   f"resolver on {port} to unblock after the expiry")  # fmt: skip


def test_transfers_without_key_from_outside_are_refused_and_logged(lab: Lab) -> None:
    import dns.message
    import dns.query

    # bnd declared no source network: an unsigned transfer of its zone is refused.
    q = dns.message.make_query("bnd.rpz.arret.", "AXFR")
    answer = dns.query.tcp(q, "127.0.0.1", port=lab.feed_port, timeout=3)
    assert dns.rcode.to_text(answer.rcode()) == "REFUSED" and not answer.answer
    assert "not from a declared network" in lab.serve.output()


def test_powerdns_follows_an_amendment_within_its_refresh(lab: Lab) -> None:
    lab.arret("order", "amend", "1", "--add", "late-mirror.example")
    # PowerDNS Recursor's packet cache keeps an answer cached before a name entered the RPZ
    # until its TTL runs out (pdns#14854): each poll asks a name never asked before.
    fresh = iter(range(10**6))
    took = wait_until(
        lambda: rcode(lab.powerdns, f"n{next(fresh)}.late-mirror.example") == "NXDOMAIN",
        10, "PowerDNS Recursor to follow within its refresh", step=0.2,
    )  # fmt: skip
    assert took <= 2 + 5  # its refresh (2 s here), plus the transfer and slack


def test_powerdns_says_why_with_extended_dns_error_16(lab: Lab) -> None:
    import dns.edns
    import dns.message
    import dns.query

    q = dns.message.make_query("blocked.example", "A", use_edns=0)
    answer = dns.query.udp(q, "127.0.0.1", port=lab.powerdns, timeout=2)
    codes = [o.code for o in answer.options if isinstance(o, dns.edns.EDEOption)]
    texts = [o.text for o in answer.options if isinstance(o, dns.edns.EDEOption)]
    assert codes == [dns.edns.EDECode.CENSORED]
    assert texts and "blocked by a legal order" in (texts[0] or "")


def test_knot_resolver_blocks_through_arret_feed_sync(lab: Lab) -> None:
    kresd = require_program("kresd", "knot-resolver")
    # kresd watches RPZ files with cqueues
    require_package("lua-cqueues")
    out = lab.arret("operator", "add", "knt")
    secret = re.search(r"secret:\s+(\S+)", out)
    assert secret
    order_id = lab.arret("order", "add", "--reference", "K1", "--authority", "TJ Paris",
                         "--decided", "2026-11-01", "--duration", "30d", "--operator", "knt",
                         "kres.example").strip()  # fmt: skip
    server = f"127.0.0.1:{lab.feed_port}"
    zone_file = lab.folder / "knt.rpz.arret.zone"

    def sync() -> str:
        return lab.arret("feed", "sync", "--server", server, "--zone", "knt.rpz.arret.",
                         "--key-name", "knt-1.tsig.arret.", "--key-secret", secret.group(1),
                         "--out", str(zone_file), "--once")  # fmt: skip

    wait_until(lambda: "kres.example" in (sync() and zone_file.read_text()), 10,
               "the feed to carry knt's order")  # fmt: skip
    snippet = lab.arret("operator", "config", "knt", "--resolver", "knot-resolver",
                        "--server", server, "--dir", str(lab.folder))  # fmt: skip
    (lab.folder / "kresd").mkdir(exist_ok=True)

    def kresd_on(ports: tuple[int, ...]) -> Process:
        (lab.folder / "kresd.conf").write_text(
            f"net.listen('127.0.0.1', {ports[0]}, {{ kind = 'dns' }})\n"
            + snippet
            + f"policy.add(policy.suffix(policy.STUB({{'127.0.0.1@{lab.authority}'}}), "
            "policy.todnames({'example.'})))\ntrust_anchors.remove('.')\n"
        )
        return Process([kresd, "-n", "-c", str(lab.folder / "kresd.conf"),
                        str(lab.folder / "kresd")], lab.folder / "kresd.log")  # fmt: skip

    process, (port,) = start_on_free_ports(
        1,
        kresd_on,
        lambda p: rcode(p[0], "kres.example") == "NXDOMAIN",
        20,
        "Knot Resolver to block from the synced file",
    )
    try:
        assert rcode(port, "www.kres.example") == "NXDOMAIN"
        assert rcode(port, "fine.example") == "NOERROR"
        lab.arret("order", "amend", order_id, "--add", "kres-mirror.example")
        wait_until(lambda: "kres-mirror.example" in (sync() and zone_file.read_text()), 10,
                   "the mirror to reach the file by IXFR")  # fmt: skip
        fresh = iter(range(10**6))
        wait_until(
            lambda: rcode(port, f"n{next(fresh)}.kres-mirror.example") == "NXDOMAIN", 10,
            "Knot Resolver to reload the file", step=0.2,
        )  # fmt: skip
    finally:
        process.stop()
