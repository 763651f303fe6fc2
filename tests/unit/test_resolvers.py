"""The snippets' pure parts: bounds, file names, what may go into a configuration file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from arret.domain.model import OperatorKey
from arret.rpz.resolvers import (
    DEFAULT_DIRECTORY,
    SECONDARIES,
    TIMING,
    Resolver,
    directory_problem,
    lua_text,
    snippet,
    zone_file,
)
from arret.rpz.zone import FeedSettings

KEY = OperatorKey("orange", "orange-1.tsig.arret.", "hmac-sha256", "c2VjcmV0", datetime.now(UTC))


def test_every_kind_has_its_own_file_even_in_one_directory() -> None:
    files = {zone_file(r, "orange", "/var/lib/x", FeedSettings()) for r in Resolver}
    assert len(files) == len(Resolver)
    assert zone_file(Resolver.BIND, "orange", "/var/cache/bind/", FeedSettings()) == (
        "/var/cache/bind/orange.rpz.arret.bind.zone"
    )
    assert set(DEFAULT_DIRECTORY) == set(Resolver)


@pytest.mark.parametrize(
    ("directory", "problem"),
    [("relative/dir", "not an absolute path"), ('/var/x";', "not safe"),
     ("/var/a b", "not safe"), ("/var/x\nzone", "not safe")],
)  # fmt: skip
def test_directories_that_would_break_a_configuration_are_refused(
    directory: str, problem: str
) -> None:
    found = directory_problem(directory)
    assert found is not None and problem in found
    assert directory_problem("/var/lib/knot-resolver") is None


def test_bounds_meet_the_targets() -> None:
    for kind in (Resolver.UNBOUND, Resolver.BIND, *SECONDARIES):
        assert TIMING.bound(kind) <= 1
    assert TIMING.bound(Resolver.POWERDNS) <= 10
    assert TIMING.bound(Resolver.KNOT_RESOLVER) <= 10
    # The polling bound is made of the printed settings.
    assert TIMING.bound(Resolver.POWERDNS) >= (
        TIMING.powerdns_refresh + TIMING.powerdns_packetcache_ttl
    )


def test_text_put_into_lua_cannot_leave_its_string() -> None:
    assert lua_text("see http://x/'); os.exit() --\\\n") == "see http://x/); os.exit() --"
    out = snippet(Resolver.KNOT_RESOLVER, "orange", KEY, "127.0.0.1:53", FeedSettings(),
                  "/k", "http://x/' .. os.exit() .. '")  # fmt: skip
    assert "' .. os.exit()" not in out


def test_a_snippet_needs_a_key_except_unbounds() -> None:
    snippet(Resolver.UNBOUND, "orange", None, "127.0.0.1:53", FeedSettings(), "/u", "")
    with pytest.raises(ValueError, match="no valid TSIG key"):
        snippet(Resolver.NSD, "orange", None, "127.0.0.1:53", FeedSettings(), "/n", "")


TWO = ["127.0.0.1:5353", "[::1]:5354"]
#: How each resolver's syntax names a primary at 127.0.0.1:5353 and [::1]:5354.
PRIMARIES = {
    Resolver.UNBOUND: ("primary: 127.0.0.1@5353", "primary: ::1@5354"),
    Resolver.BIND: ('127.0.0.1 port 5353 key "', '::1 port 5354 key "'),
    Resolver.BIND_SECONDARY: ('127.0.0.1 port 5353 key "', '::1 port 5354 key "'),
    Resolver.KNOT: ("address: 127.0.0.1@5353", "address: ::1@5354"),
    Resolver.NSD: ("request-xfr: 127.0.0.1@5353 ", "request-xfr: ::1@5354 "),
    Resolver.POWERDNS: ('rpzPrimary({"127.0.0.1:5353", "[::1]:5354"}, ',),
    Resolver.KNOT_RESOLVER: ("--server 127.0.0.1:5353 --server [::1]:5354 ",),
}


@pytest.mark.parametrize("resolver", list(Resolver), ids=str)
def test_every_primary_is_named_in_order_and_notifies_from_each(resolver: Resolver) -> None:
    key = None if resolver is Resolver.UNBOUND else KEY
    out = snippet(resolver, "orange", key, TWO, FeedSettings(), "/d", "http://x/")
    where = [out.index(p) for p in PRIMARIES[resolver]]
    assert where == sorted(where), out  # the preferred first
    assert "Primaries, every instance of the feed: 127.0.0.1:5353, [::1]:5354." in out
    if resolver in (Resolver.UNBOUND, Resolver.BIND, Resolver.BIND_SECONDARY, *SECONDARIES):
        assert "NOTIFY from each" in out
        notify = {
            Resolver.UNBOUND: ("allow-notify: 127.0.0.1@5353", "allow-notify: ::1@5354"),
            Resolver.KNOT: ("address: [127.0.0.1, ::1]",),
            Resolver.NSD: ("allow-notify: 127.0.0.1 NOKEY", "allow-notify: ::1 NOKEY"),
        }.get(resolver, ("allow-notify { 127.0.0.1; ::1; };",))
        assert all(n in out for n in notify), out
    # One server: the snippet as it always was, no failover sentence.
    one = snippet(resolver, "orange", key, TWO[:1], FeedSettings(), "/d", "http://x/")
    assert "Primaries" not in one and "::1" not in one
    assert one == snippet(resolver, "orange", key, TWO[0], FeedSettings(), "/d", "http://x/")


def test_a_snippet_needs_a_server() -> None:
    with pytest.raises(ValueError, match="at least one server"):
        snippet(Resolver.UNBOUND, "orange", None, [], FeedSettings(), "/u", "")
