"""A policy as RPZ entries, and the deltas between two versions of a zone."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from arret.domain.model import Action, Scope
from arret.domain.policy import Policy, Rule
from arret.rpz.zone import FeedSettings, apply_delta, diff, entries, records

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
