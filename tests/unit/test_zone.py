"""A policy as RPZ entries, and the deltas between two versions of a zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.domain.model import Action, Scope
from arret.domain.policy import Policy, Rule
from arret.rpz import zonefile
from arret.rpz.zone import (
    FeedSettings,
    apply_delta,
    diff,
    entries,
    owner_problem,
    records,
    servable,
)

Zone = set[tuple[str, str]]
zones = st.sets(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["nxdomain", "nodata"])))


@given(zones, zones)
def test_applying_a_diff_gives_the_new_zone(old: Zone, new: Zone) -> None:
    assert apply_delta(sorted(old), diff(old, new)) == sorted(new)


def test_each_action_and_scope_becomes_its_rpz_records() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    policy = Policy(
        "orange",
        at,
        (
            Rule("big.example", Scope.SUBTREE, Action.NXDOMAIN, (1,)),
            Rule("big.example", Scope.EXACT, Action.NOTICE, (2,)),
            Rule("quiet.example", Scope.EXACT, Action.NODATA, (3,)),
        ),
        ("press.big.example",),
    )
    got = records(entries(policy), FeedSettings(notice_host="notice.example."))
    assert got == [
        ("*.big.example", "."),
        ("*.press.big.example", "rpz-passthru."),
        ("big.example", "."),  # the strongest of the exact and subtree rules on one owner
        ("press.big.example", "rpz-passthru."),
        ("quiet.example", "*."),
    ]


# --- The last guard before the wire: only servable owners ----------------------------

ZONE = "orange.rpz.arret."


@pytest.mark.parametrize(
    ("owner", "says"),
    [
        ("32.1.2.0.192.rpz-ip", "rpz-"),
        ("*.32.1.0.0.127.rpz-client-ip", "rpz-"),
        ("leak.onion", "special-use"),
        ("*.1.0.0.127.in-addr.arpa", "special-use"),
        ("LEAK.example", "not a normalized"),
        ("a..example", "not a normalized"),
        ("a.*.example", "not a normalized"),
        ("le ak.example", "not a normalized"),
        ("x" * 64 + ".example", "not a normalized"),
        # The allow-list entry: 241 octets fit a name, not '*.<name>.<zone>'.
        ("*." + ".".join(["a" * 60] * 3 + ["b" * 44]) + ".leak9.example", "255 octets"),
    ],
)
def test_an_owner_that_is_no_trigger_of_a_site_is_not_servable(owner: str, says: str) -> None:
    problem = owner_problem(owner, ZONE)
    assert problem is not None and says in problem
    kept, refused = servable([("leak.example", "nxdomain"), (owner, "passthru")], ZONE)
    assert kept == [("leak.example", "nxdomain")]
    assert [o for o, _ in refused] == [owner]


def test_a_clean_zone_is_served_as_it_is() -> None:
    zone = [("*.leak.example", "nxdomain"), ("leak.example", "nxdomain"), ("xn--bcher-kva.example",
            "notice"), ("*." + "a" * 63 + ".example", "nodata")]  # fmt: skip
    kept, refused = servable(zone, ZONE)
    assert kept is zone and refused == []
    assert servable([], ZONE) == ([], [])


owner_text = st.text(alphabet="ab-.*\nA" + "é", max_size=12).map(
    lambda s: s.replace("é", "rpz-").replace("A", ".onion")
)


@given(st.lists(owner_text, max_size=6))
def test_the_fast_scan_refuses_exactly_what_each_owner_check_refuses(owners: list[str]) -> None:
    zone = [(o, "nxdomain") for o in [*owners, "leak.example"]]
    kept, refused = servable(zone, ZONE)
    assert [o for o, _ in kept] == [o for o in [*owners, "leak.example"]
                                    if owner_problem(o, ZONE) is None]  # fmt: skip
    assert [o for o, _ in refused] == [o for o in owners if owner_problem(o, ZONE) is not None]


def test_the_zone_file_says_what_it_leaves_out() -> None:
    zone = [("leak.example", "nxdomain"), ("1.2.rpz-ip", "nxdomain")]
    text = "\n".join(zonefile.lines(ZONE, 7, zone, FeedSettings()))
    assert "leak.example IN CNAME ." in text
    assert "; refused, not served: '1.2.rpz-ip'" in text
    assert "\n1.2.rpz-ip" not in text


covering_facts = st.lists(
    st.tuples(
        st.sampled_from(["a.fr", "b.a.fr", "c.fr", "d.c.fr", "e.com", "f.e.com"]),
        st.sampled_from(list(Scope)),
        st.sampled_from(list(Action)),
        st.integers(1, 4),
    ),
    max_size=12,
)


@given(covering_facts, st.sets(st.sampled_from(["b.a.fr", "x.c.fr", "y.e.com"])))
def test_entries_keep_the_strongest_action_per_owner_whatever_the_path(
    facts: list[tuple[str, Scope, Action, int]], allowed: set[str]
) -> None:
    """`entries` takes a fast path when every name has one rule; it must give what the
    strongest-action merge gives (which it falls back to otherwise)."""
    from arret.domain.policy import compile_policy
    from arret.rpz.zone import _merged_entries

    policy = compile_policy("sfr", datetime(2026, 1, 1, tzinfo=UTC), facts, frozenset(allowed))
    assert entries(policy) == _merged_entries(policy)
    assert len({owner for owner, _ in entries(policy)}) == len(entries(policy))
    # A new zone from empty is all added, in order (the fast path of `diff`).
    assert diff([], entries(policy)) == diff(set(), set(entries(policy)))


@given(covering_facts)
def test_entries_straight_from_covering_facts_are_those_of_the_compiled_policy(
    facts: list[tuple[str, Scope, Action, int]],
) -> None:
    """The path of a registration's whole recomputation (`covering_entries`, nothing
    allow-listed) gives what compiling the policy gives, or declines (a name twice)."""
    from arret.domain.policy import compile_policy
    from arret.rpz.zone import covering_entries

    policy = compile_policy("sfr", datetime(2026, 1, 1, tzinfo=UTC), facts, frozenset())
    found = covering_entries(facts)
    names = [name for name, *_ in facts]
    assert (found is None) == (len(set(names)) < len(names))
    if found is not None:
        assert found == entries(policy)
