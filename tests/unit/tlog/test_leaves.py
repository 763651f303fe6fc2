"""What a log leaf holds: canonical bytes anyone can reproduce, and never a confidential
order's names — only commitments that an auditor, given the salt, can check."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.domain.events import OrderAmended, OrderRegistered
from arret.domain.model import OrderTerms, TargetSpec
from arret.tlog import leaves, multiset
from arret.tlog.leaves import (
    NAME_FIELDS,
    canonical,
    commitment,
    event_record,
    feed_record,
    joined_record,
    split_encoded,
    split_record,
)
from arret.tlog.merkle import leaf_hash

T = datetime(2026, 11, 29, 12, tzinfo=UTC)
TERMS = OrderTerms("RG 26/9", "TJ Paris", date(2026, 11, 28), T, T + timedelta(days=30),
                   frozenset({"orange"}), confidential=True)  # fmt: skip
SALTS = {"secret-one.example": b"\x01" * 16, "secret-two.example": b"\x02" * 16}


def test_canonical_bytes_do_not_depend_on_key_order_and_refuse_floats() -> None:
    assert canonical({"b": 1, "a": ["é", None, True]}) == '{"a":["é",null,true],"b":1}'.encode()
    assert canonical({"a": 1, "b": 2}) == canonical({"b": 2, "a": 1})
    with pytest.raises(TypeError, match="float has no canonical form"):
        canonical({"x": [1.5]})
    with pytest.raises(TypeError, match="key 1 is not a string"):
        canonical({"x": {1: "a"}})  # type: ignore[dict-item]


def test_a_confidential_order_leaves_only_commitments() -> None:
    registered = OrderRegistered(7, T, "clerk", TERMS, (TargetSpec("secret-one.example"),))
    amended = OrderAmended(7, T + timedelta(hours=1), "clerk", (TargetSpec("secret-two.example"),),
                           ("secret-one.example",))  # fmt: skip
    for seq, event in enumerate((registered, amended), 1):
        leaf = canonical(event_record(seq, event, True, SALTS.__getitem__))
        assert b"secret-" not in leaf
        assert b"RG 26/9" in leaf or seq == 2  # the order's metadata stays public
    record = event_record(1, registered, True, SALTS.__getitem__)
    [target] = record["event"]["targets"]
    # An auditor holding the salt proves which name was ordered — and which was not.
    expected = hashlib.sha256(SALTS["secret-one.example"] + b"secret-one.example").hexdigest()
    assert target["name"] == {"commitment": expected}
    assert commitment(SALTS["secret-one.example"], "secret-one.example") == expected
    assert commitment(SALTS["secret-one.example"], "other.example") != expected
    public = event_record(1, registered, False, SALTS.__getitem__)
    assert public["event"]["targets"][0]["name"] == "secret-one.example"


def test_the_feed_leaf_carries_a_salted_digest_of_the_zone_content() -> None:
    entries = [("leak.example", "nxdomain"), ("*.leak.example", "nxdomain")]
    salt = b"s" * 16
    digest = multiset.policy_digest(salt, entries)
    # A set: order does not matter; a change is an addition or a subtraction.
    assert digest == multiset.policy_digest(salt, list(reversed(entries)))
    one = multiset.add(0, salt, entries[:1])
    assert multiset.digest(multiset.add(one, salt, entries[1:])) == digest
    both = multiset.add(0, salt, entries)
    assert multiset.digest(multiset.remove(both, salt, entries[1:])) == multiset.digest(one)
    assert multiset.policy_digest(salt, []) == hashlib.sha256(bytes(512)).hexdigest()
    # Another salt, another digest: without the operator's salt a guess cannot be tested.
    assert multiset.policy_digest(b"t" * 16, entries) != digest
    # Another entry, another kind: another digest.
    assert multiset.policy_digest(salt, [("leak.example", "nodata"), entries[1]]) != digest
    assert multiset.from_text(multiset.to_text(both)) == both
    leaf = json.loads(canonical(feed_record("orange", 1795929635, 2, digest)))
    assert leaf == {"type": "feed", "operator": "orange", "serial": 1795929635,
                    "entries": 2, "policy_digest": digest}  # fmt: skip


def test_a_keyed_digest_is_sha256_of_the_key_times_the_unsalted_sum() -> None:
    entries = [("leak.example", "nxdomain"), ("*.leak.example", "nxdomain")]
    key = multiset.new_key(bytes(range(256)) * 2)
    assert key % 2 == 1  # odd: invertible modulo 2^4096
    # The definition, written out with hashlib alone.
    total = sum(
        int.from_bytes(hashlib.shake_256(f"{o} {k}\n".encode()).digest(512), "little")
        for o, k in entries
    )
    product = (key * total) % 2**4096
    expected = hashlib.sha256(product.to_bytes(512, "little")).hexdigest()
    assert multiset.keyed_policy_digest(key, entries) == expected
    assert multiset.keyed_digest(key, multiset.add(0, b"", entries)) == expected
    # The same content under another operator's key: another digest.
    other = multiset.new_key(bytes(512))
    assert multiset.keyed_policy_digest(other, entries) != expected
    assert multiset.keyed_policy_digest(key, entries[:1]) != expected


def _names(n: int) -> tuple[TargetSpec, ...]:
    return tuple(TargetSpec(f"name-{i:05d}.example") for i in range(n))


@pytest.mark.parametrize("confidential", [False, True])
def test_a_large_event_splits_into_bounded_leaves_that_give_it_back(confidential: bool) -> None:
    targets = _names(5000)
    registered = OrderRegistered(7, T, "clerk", TERMS, targets)
    salt = {t.name: hashlib.sha256(t.name.encode()).digest()[:16] for t in targets}
    whole = event_record(3, registered, confidential, salt.__getitem__)
    leaves = split_record(whole, max_leaf=20_000)
    assert len(leaves) > 5
    assert all(len(canonical(leaf)) <= 20_000 for leaf in leaves)
    head, parts = leaves[0], leaves[1:]
    assert head["event"]["targets"] == [] and head["event"]["reference"] == "RG 26/9"
    assert [p["part"] for p in parts] == list(range(1, len(parts) + 1))
    assert {p["seq"] for p in parts} == {3} and {p["type"] for p in parts} == {"names"}
    assert head["names"] == {
        "count": 5000,
        "leaves": len(parts),
        "digest": hashlib.sha256(b"".join(leaf_hash(canonical(p)) for p in parts)).hexdigest(),
    }
    # Put back together, the leaves are the event's whole record, in order.
    assert joined_record(head, parts) == whole
    text = b"".join(canonical(leaf) for leaf in leaves)
    assert (b"name-04999.example" in text) is not confidential
    # A small event stays one leaf, as it always was.
    assert split_record(whole) == [whole] or len(canonical(whole)) > 65_535


def test_an_amendment_splits_its_added_and_removed_names_in_order() -> None:
    amended = OrderAmended(
        7, T, "clerk", _names(900), tuple(f"gone-{i}.example" for i in range(900))
    )
    whole = event_record(4, amended, False, SALTS.__getitem__)
    leaves = split_record(whole, max_leaf=10_000)
    assert len(leaves) > 4 and all(len(canonical(x)) <= 10_000 for x in leaves)
    assert joined_record(leaves[0], leaves[1:]) == whole
    assert leaves[0]["names"]["count"] == 1800


def _split_one_at_a_time(record: dict[str, Any], max_leaf: int) -> list[dict[str, Any]]:
    """The split as first written: each name encoded alone and added while it fits.
    Leaves already logged were cut this way; `split_record` must cut them the same."""
    if len(canonical(record)) <= max_leaf:
        return [record]
    payload = dict(record["event"])
    items = [(f, item) for f in NAME_FIELDS for item in payload.get(f) or []]
    parts: list[dict[str, list[Any]]] = []
    current: dict[str, list[Any]] = {}
    used = 0
    for name_field, item in items:
        cost = len(json.dumps(item, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode()) + 1  # fmt: skip
        if current and used + cost > max_leaf - 200:
            parts.append(current)
            current, used = {}, 0
        current.setdefault(name_field, []).append(item)
        used += cost
    if current:
        parts.append(current)
    leaves = [{"type": "names", "seq": record["seq"], "part": n + 1} | p
              for n, p in enumerate(parts)]  # fmt: skip
    for name_field in NAME_FIELDS:
        if name_field in payload:
            payload[name_field] = []
    digest = hashlib.sha256(b"".join(leaf_hash(canonical(leaf)) for leaf in leaves)).hexdigest()
    names = {"count": len(items), "leaves": len(leaves), "digest": digest}
    return [record | {"event": payload, "names": names}, *leaves]


name_items = st.one_of(
    st.fixed_dictionaries({
        "name": st.text(st.sampled_from("ab-.é☃"), min_size=1, max_size=300),
        "scope": st.sampled_from(["exact", "subtree"]),
        "action": st.sampled_from([None, "nxdomain", "notice"]),
    }),
    st.text(st.sampled_from("xyz."), min_size=1, max_size=80),
)  # fmt: skip


@given(
    st.dictionaries(st.sampled_from(NAME_FIELDS), st.lists(name_items, max_size=400)),
    st.sampled_from([250, 700, 2_000, 20_000]),
)
def test_a_split_cuts_the_leaves_where_adding_one_name_at_a_time_did(
    lists: dict[str, list[Any]], max_leaf: int
) -> None:
    record = {"type": "event", "seq": 9, "event": {"kind": "order_amended", **lists}}
    expected = _split_one_at_a_time(record, max_leaf)
    encoded = split_encoded(record, max_leaf)
    assert [leaf for leaf, _ in encoded] == expected == split_record(record, max_leaf)
    assert [data for _, data in encoded] == [canonical(leaf) for leaf in expected]
    with pytest.raises(TypeError, match="float has no canonical form"):
        split_encoded(record | {"event": {**lists, "removed": ["a", 0.5]}}, max_leaf)


# Lists the split encodes from its items' texts (`leaves._texts`): every item of a list a
# plain string, or every one an object with the same keys; "%" and characters that are
# escaped ('"', "\\") or not ASCII send a list back to the encoder.
_TEXTY = "ab-.%"
texty_lists = st.one_of(
    st.lists(
        st.fixed_dictionaries({
            "name": st.text(st.sampled_from(_TEXTY + '"'), min_size=1, max_size=300),
            "scope": st.sampled_from(["exact", "subtree"]),
            "action": st.sampled_from([None, "nxdomain", "notice", "%s"]),
        }),
        max_size=400,
    ),
    st.lists(st.text(st.sampled_from(_TEXTY + "\\"), min_size=1, max_size=80), max_size=400),
)  # fmt: skip


@given(
    st.dictionaries(st.sampled_from(NAME_FIELDS), texty_lists),
    st.sampled_from([250, 700, 2_000, 20_000]),
)
def test_a_split_from_the_items_texts_cuts_and_encodes_as_one_at_a_time(
    lists: dict[str, list[Any]], max_leaf: int
) -> None:
    record = {"type": "event", "seq": 9, "event": {"kind": "order_amended", **lists}}
    expected = _split_one_at_a_time(record, max_leaf)
    encoded = split_encoded(record, max_leaf)
    assert [leaf for leaf, _ in encoded] == expected
    assert [data for _, data in encoded] == [canonical(leaf) for leaf in expected]


def test_the_items_texts_are_their_canonical_forms() -> None:
    targets = [{"name": f"n{i}.example", "scope": "subtree", "action": None} for i in range(3)]
    targets[1]["action"] = "notice"
    found = leaves._texts([("targets", targets), ("removed", ["gone.example"])])
    expected = [canonical(t).decode() for t in targets] + ['"gone.example"']
    assert found == expected
    same = [{"scope": "exact", "action": "%s"}] * 2
    assert leaves._texts([("added", same)]) == [canonical(same[0]).decode()] * 2
    assert leaves._texts([("removed", ['say "hi"'])]) is None
    assert leaves._texts([("removed", ["é.example"])]) is None
    assert leaves._texts([("targets", [{"name": "a", "n": 1}])]) is None
    assert leaves._texts([("targets", [{"name": "a"}, {"nom": "b"}])]) is None
