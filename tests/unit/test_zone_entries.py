"""`ZoneEntries`, the chunked zone the server holds, against `apply_delta` on a plain
sorted list (the reference): any zone, any sequence of changes, any chunk size."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arret.rpz import zone as z
from arret.rpz.zone import Delta, Entry, ZoneEntries, apply_delta

owners = st.sampled_from([f"n{i:03d}.example" for i in range(60)] + ["*.n001.example"])
entries = st.tuples(owners, st.sampled_from(["nxdomain", "nodata", "passthru"]))
zones = st.sets(entries, max_size=80).map(sorted)
#: A change: some of the zone's entries removed (by index) and any entries added.
changes = st.tuples(st.lists(st.integers(0, 200), max_size=20), st.sets(entries, max_size=40))


sizes = pytest.mark.parametrize("chunk", [1, 2, 3, z.CHUNK])


@sizes
@given(start=zones, steps=st.lists(changes, max_size=6))
def test_each_version_is_what_apply_delta_gives(
    chunk: int, start: list[Entry], steps: list[tuple[list[int], set[Entry]]]
) -> None:
    held, reference = ZoneEntries(start, chunk), list(start)
    versions: list[tuple[ZoneEntries, list[Entry]]] = []
    for picks, added in steps:
        removed = tuple(sorted({reference[i % len(reference)] for i in picks})) if reference else ()
        change = Delta(removed, tuple(sorted(added)))
        versions.append((held, list(held)))
        held, reference = held.apply(change), apply_delta(reference, change)
        assert list(held) == reference
        assert len(held) == len(reference)
        assert held == reference and held == tuple(reference)
        assert [held[i] for i in range(len(held))] == reference
        assert held[-1:] == reference[-1:] and held[1:3] == reference[1:3]
        assert all(e in held for e in reference) and ("zz", "nxdomain") not in held
        assert list(ZoneEntries._of(held._chunks, chunk)) == reference
    # Every version before is untouched: a transfer may still be reading it.
    assert all(list(old) == seen for old, seen in versions)


@sizes
@given(start=zones, extra=entries)
def test_removing_what_is_not_held_is_refused_and_changes_nothing(
    chunk: int, start: list[Entry], extra: Entry
) -> None:
    held = ZoneEntries(start, chunk)
    if extra in start:
        return
    with pytest.raises(ValueError, match="does not hold"):
        held.apply(Delta((extra,), ()))
    with pytest.raises(ValueError, match="does not hold"):
        held.apply(Delta((*start[:40], extra), ()))
    assert list(held) == start


@sizes
def test_a_small_change_shares_every_chunk_it_does_not_touch(chunk: int) -> None:
    start = [(f"site{i:05d}.example", "nxdomain") for i in range(5000)]
    held = ZoneEntries(start, chunk)
    after = held.apply(Delta((start[10],), (("site02500a.example", "nodata"),)))
    shared = {id(c) for c in held._chunks} & {id(c) for c in after._chunks}
    assert len(after._chunks) - len(shared) <= 2  # at most the two chunks it touched
    assert len(after) == 5000 and ("site02500a.example", "nodata") in after
    assert start[10] not in after and start[10] in held


@sizes
def test_a_large_addition_is_split_into_chunks(chunk: int) -> None:
    held = ZoneEntries([("a.example", "nxdomain")], chunk)
    added = tuple((f"b{i:05d}.example", "nxdomain") for i in range(3000))
    after = held.apply(Delta((), added))
    assert list(after) == [("a.example", "nxdomain"), *added]
    assert max(len(c) for c in after._chunks) <= 2 * chunk


def test_an_empty_zone_grows_and_empties_again() -> None:
    empty = ZoneEntries()
    assert len(empty) == 0 and list(empty) == [] and empty == ()
    one = empty.apply(Delta((), (("x.example", "nxdomain"),)))
    assert list(one) == [("x.example", "nxdomain")]
    assert len(one.apply(Delta((("x.example", "nxdomain"),), ()))) == 0
    with pytest.raises(ValueError, match="does not hold"):
        empty.apply(Delta((("x.example", "nxdomain"),), ()))
    with pytest.raises(IndexError):
        empty[0]
