"""Every resolver kind enforces every order on time, configured only from what
`arret operator config` prints (plus loopback plumbing, `support.resolvers`).

One `arret serve`, and side by side Unbound, BIND, PowerDNS Recursor, Knot Resolver
(through `arret feed sync`) and the secondaries Knot DNS, NSD and BIND. One order takes
effect 12 s after it is registered and lasts 30 s (three times the longest bound, 10 s),
with every action (`nxdomain`, `nodata`, `notice`) and an allow-listed name inside its
blocked subtree (passthru);
every resolver is polled every 0.2 s. Each must start and stop within the bound its
snippet states, never block before the effective instant or after expiry + bound, answer
each action in its form, carry no EDE "Censored" on an answer that is not blocked, and
give blocked answers no TTL above the feed's. The window is paid once (~55 s) for all.

bench/interop.py runs the same measurement 5 times and prints the table of
docs/operators.md. Debian packages are installed when missing (as root).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import dns.message
import dns.query
import dns.rcode
import pytest
from support.matrix import OPERATORS, PROBES, Lab, Window, outcome, table
from support.processes import rcode, wait_until
from support.resolvers import KINDS


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab(tmp_path_factory.mktemp("matrix"))
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="module")
def window(lab: Lab) -> Window:
    return lab.window("m1", lead=12.0, length=30.0, step=0.2)


@pytest.mark.parametrize("kind", KINDS)
def test_each_resolver_follows_the_order_within_its_printed_bound(
    lab: Lab, window: Window, kind: str
) -> None:
    outcomes = [outcome(kind, probe, lab.bound(kind), window) for probe in PROBES]
    problems = [f"{o.probe}: {p}" for o in outcomes for p in o.problems]
    assert not problems, f"{kind}:\n" + "\n".join(problems) + "\n" + table(outcomes)
    for o in outcomes:
        if o.probe != "passthru" or kind in ("knot", "nsd", "bind-secondary"):
            assert o.start is not None and 0 <= o.start <= lab.bound(kind), o
            assert o.stop is not None and 0 <= o.stop <= lab.bound(kind), o


def test_notify_capable_resolvers_claim_one_second_and_pollers_ten(lab: Lab) -> None:
    """The targets: what acts on NOTIFY within 1 s, what polls within 10 s."""
    for kind in ("unbound", "bind", "knot", "nsd", "bind-secondary"):
        assert lab.bound(kind) <= 1, kind
    for kind in ("powerdns", "knot-resolver"):
        assert lab.bound(kind) <= 10, kind


def test_a_mirror_added_by_amendment_arrives_by_ixfr_within_2_seconds(
    lab: Lab, window: Window
) -> None:
    serve = lab.serve
    assert serve is not None
    before = serve.output().count("ixfr of ")
    lab.arret("order", "amend", "1", "--add", "mirror-site.example")
    for kind in ("unbound", "bind"):
        port = lab.running[kind].port
        took = wait_until(lambda p=port: rcode(p, "mirror-site.example") == "NXDOMAIN", 2.0,
                          f"{kind} to block the mirror")  # fmt: skip
        assert took <= 2.0
    log = serve.output()
    assert log.count("ixfr of unb") >= 1 and log.count("ixfr of bnd") >= 1
    assert log.count("ixfr of ") > before
    assert "axfr of unb" not in log.split("ixfr of ")[-1]  # no full transfer for the change


def test_transfers_without_key_from_outside_are_refused_and_logged(lab: Lab) -> None:
    # bnd declared no source network: an unsigned transfer of its zone is refused.
    q = dns.message.make_query("bnd.rpz.arret.", "AXFR")
    answer = dns.query.tcp(q, "127.0.0.1", port=lab.feed_port, timeout=3)
    assert dns.rcode.to_text(answer.rcode()) == "REFUSED" and not answer.answer
    serve = lab.serve
    assert serve is not None and "not from a declared network" in serve.output()


def test_without_notify_bind_knot_and_nsd_follow_within_their_lost_notify_bound(
    lab: Lab, window: Window
) -> None:
    """A lost NOTIFY: BIND's refresh defaults (300 s / 500 s minimum) would leave it behind
    for minutes; the snippets' caps bring every secondary back within 12 s. (Unbound's
    fallback is the SOA refresh, 60 s: measured by bench/interop.py --lost-notify.)"""
    lab.lose_notify()  # last: from here on no resolver hears of a change
    lab.arret("order", "amend", "1", "--add", "unnotified.example")
    start = time.monotonic()

    def follows(kind: str) -> bool:
        port, zone = lab.running[kind].port, f"{OPERATORS[kind]}.rpz.arret."
        if kind == "bind":
            return rcode(port, "unnotified.example") == "NXDOMAIN"
        return rcode(port, f"unnotified.example.{zone}", "CNAME") == "NOERROR"

    for kind in ("bind", "bind-secondary", "knot", "nsd"):
        left = lab.bound(kind) - (time.monotonic() - start)
        wait_until(lambda k=kind: follows(k), max(left, 0.0),
                   f"{kind} to follow without NOTIFY within {lab.bound(kind):g} s")  # fmt: skip
    assert lab.bound("bind") <= 12
