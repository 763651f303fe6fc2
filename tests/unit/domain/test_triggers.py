"""What a feed may carry: only names RPZ reads as names, of sites someone can register.

A target or an allow-list entry ends up as an owner in every operator's Response Policy
Zone, where RPZ gives some owners another meaning (an address, a client, a name server)
and where a special-use name or one of Arrêt's own names means nothing a court orders.
"""

from __future__ import annotations

import pytest

from arret.domain.names import check_feed_name, check_target, normalize
from arret.domain.triggers import SPECIAL_USE, reserved_problem, trigger_problem
from arret.errors import InvalidName

RESERVED = [("rpz.arret", "the origin of the policy feeds"),
            ("notice.isp.example", "the notice host")]  # fmt: skip


def refused(text: str) -> str:
    with pytest.raises(InvalidName) as caught:
        check_target(text, frozenset(), RESERVED)
    assert repr(text) in caught.value.summary
    return caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        # The two reproductions: every name resolving to 192.0.2.1, every query
        # from 127.0.0.1.
        "32.1.2.0.192.rpz-ip",
        "32.1.0.0.127.rpz-client-ip",
        "ns.example.rpz-nsdname",
        "32.1.2.0.192.rpz-nsip",
        # Any rpz- label, anywhere: resolvers read triggers relative to the zone origin.
        "rpz-passthru.example",
        "32.1.2.0.192.rpz-ip.leak.example",
        "a.rpz-future.example",
        "RPZ-IP.Example",
    ],
)
def test_rpz_labels_are_refused(text: str) -> None:
    assert "rpz-" in refused(text)
    assert "Response Policy Zones reserve" in refused(text)


@pytest.mark.parametrize(
    "text",
    [
        "leak.onion",
        "printer.local",
        "leak.test",
        "x.invalid",
        "app.localhost",
        "x.alt",
        "1.0.0.127.in-addr.arpa",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        "router.home.arpa",
        "LEAK.ONION.",
    ],
)
def test_special_use_names_are_refused(text: str) -> None:
    assert "special-use name" in refused(text)


@pytest.mark.parametrize(
    "text", ["leak.example", "rpz.example", "xrpz-ip.example", "local.example", "onion.example",
             "arpa.example", "mirror.rpzip-blog.example"],
)  # fmt: skip
def test_names_that_only_look_alike_are_accepted(text: str) -> None:
    assert check_target(text, frozenset(), RESERVED) == normalize(text)


def test_example_names_stay_accepted_for_documentation() -> None:
    # RFC 2606 reserves .example for documentation: the demo, the tests and the docs
    # block such names, and a resolver carrying one hurts no one.
    assert "example" not in SPECIAL_USE
    assert check_target("dossiers-labos.example") == "dossiers-labos.example"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("rpz.arret", "is the origin of the policy feeds"),
        ("orange.rpz.arret", "lies below 'rpz.arret', the origin"),
        ("notice.isp.example", "is the notice host"),
        ("www.notice.isp.example", "lies below 'notice.isp.example', the notice host"),
    ],
)
def test_the_feeds_own_names_are_refused(text: str, says: str) -> None:
    assert says in refused(text)


def test_a_parent_of_an_own_name_is_not_one() -> None:
    assert reserved_problem("isp.example", RESERVED) is None
    assert check_feed_name("isp.example", RESERVED) == "isp.example"


def test_a_top_level_special_name_suggests_no_name_that_is_refused_next() -> None:
    with pytest.raises(InvalidName) as caught:
        normalize("onion")
    assert "top-level name" in caught.value.reason and "leak.onion" not in caught.value.reason
    with pytest.raises(InvalidName) as caught:
        normalize("https://leak.onion/")
    assert "special-use" in caught.value.reason


def test_every_refusal_names_its_reason_without_io() -> None:
    assert trigger_problem("leak.example") is None
    assert trigger_problem("a.b.rpz-ip") is not None
    assert trigger_problem("onion") is not None  # a bare special label too


def test_a_target_above_the_notice_host_is_refused_and_an_allow_entry_there_is_not() -> None:
    # Blocking isp.example (a subtree) would block notice.isp.example, the page that
    # explains every block; allow-listing isp.example harms no one.
    with pytest.raises(InvalidName) as caught:
        check_target("isp.example", reserved=RESERVED)
    assert "would block 'notice.isp.example', the notice host" in caught.value.reason
    assert check_feed_name("isp.example", RESERVED) == "isp.example"
    assert check_target("other.example", reserved=RESERVED) == "other.example"
