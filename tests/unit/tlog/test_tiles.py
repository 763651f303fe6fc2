"""Tiles and the proofs read from them, against independent references: the Certificate
Transparency vectors (the roots of sizes 1 to 8 and two audit paths), the recursive
proofs of `arret.tlog.merkle` computed from every leaf, and each tile entry computed as
the plain root of the leaves under it."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.ctvectors import LEAVES, ROOTS

from arret.tlog import merkle, tiles
from arret.tlog.tiles import Builder, Tree

HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]
PATH_0 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
PATH_5 = ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]  # fmt: skip


def hashes(n: int, seed: int = 0) -> list[bytes]:
    return [merkle.leaf_hash(f"{seed}:{i}".encode()) for i in range(n)]


def naive_tiles(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Entry j of level L is the root of leaves j·256^L to (j+1)·256^L - 1, computed by
    the recursive definition from the leaves themselves."""
    out: dict[tuple[int, int], bytes] = {}
    level = 0
    while len(leaves) >> (8 * level):
        span = 256**level
        entries = [
            merkle.root(leaves[j * span : (j + 1) * span]) for j in range(len(leaves) // span)
        ]
        for start in range(0, len(entries), 256):
            out[(level, start // 256)] = b"".join(entries[start : start + 256])
        level += 1
    return out


def tree_of(leaves: list[bytes]) -> Tree:
    built = tiles.build(leaves)
    return Tree(len(leaves), lambda level, index: built.get((level, index), b""))


def test_the_reference_vectors_read_from_tiles() -> None:
    for size in range(1, 9):
        assert tree_of(HASHES[:size]).root() == ROOTS[size]
    tree = tree_of(HASHES)
    assert [h.hex() for h in tree.inclusion_proof(0)] == PATH_0
    assert [h.hex() for h in tree.inclusion_proof(5)] == PATH_5
    for old in range(1, 9):
        assert tree.consistency_proof(old) == merkle.consistency_proof(old, HASHES)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 66000])
def test_tiles_equal_the_naive_computation_built_at_once_and_leaf_by_leaf(size: int) -> None:
    leaves = hashes(size)
    expected = naive_tiles(leaves) if size < 70_000 else {}
    assert tiles.build(leaves) == expected
    # Leaf by leaf, starting again from the partial tiles at a random size (as each
    # append does from the stored ones): the tiles it changed are the final ones.
    cut = random.Random(size).randrange(size + 1)
    first = Builder(0, {})
    for h in leaves[:cut]:
        first.push(h)
    partial = {level: expected[(level, index)][: width * 32]
               for level, index, width in tiles.partial_tiles(cut)}  # fmt: skip
    second = Builder(cut, partial)
    for h in leaves[cut:]:
        second.push(h)
    merged = first.dirty | second.dirty
    assert merged == expected


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 1400), data=st.data())
def test_proofs_from_tiles_are_the_proofs_from_every_leaf(size: int, data: st.DataObject) -> None:
    leaves = hashes(size, seed=size)
    tree = tree_of(leaves)
    assert tree.root() == merkle.root(leaves)
    for index in data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=8)):
        assert tree.inclusion_proof(index) == merkle.inclusion_proof(index, leaves)
    for old in data.draw(st.lists(st.integers(1, size), min_size=1, max_size=8)):
        assert tree.consistency_proof(old) == merkle.consistency_proof(old, leaves)


def test_proofs_across_two_levels_of_tiles_equal_the_proofs_from_every_leaf() -> None:
    rng = random.Random(7)
    for size in (65536, 65537, 65536 + 256 * 3 + 17, 131_000):
        leaves = hashes(size, seed=size)
        tree = tree_of(leaves)
        for _ in range(4):
            index, old = rng.randrange(size), rng.randrange(1, size + 1)
            assert tree.inclusion_proof(index) == merkle.inclusion_proof(index, leaves)
            assert tree.consistency_proof(old) == merkle.consistency_proof(old, leaves)
        # Proofs for an older size read from the same (newer) tiles.
        older = tree_of(leaves)
        older.size = size - 300
        assert older.consistency_proof(size // 2) == merkle.consistency_proof(
            size // 2, leaves[: size - 300]
        )


def test_a_missing_or_short_tile_is_an_error_not_a_wrong_proof() -> None:
    leaves = hashes(600)
    built = tiles.build(leaves)
    built[(0, 2)] = built[(0, 2)][:-32]
    tree = Tree(600, lambda level, index: built.get((level, index), b""))
    with pytest.raises(LookupError):
        tree.inclusion_proof(598)  # its neighbour, leaf 599, is missing
    with pytest.raises(ValueError, match="not in a tree"):
        tree.inclusion_proof(600)


def test_tile_paths_follow_the_c2sp_layout() -> None:
    assert tiles.path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.path(1, 5, 7) == "tile/1/005.p/7"
    assert tiles.entries_path(1000) == "tile/entries/x001/000"
    for index in (0, 7, 999, 1000, 1234067, 10**12):
        assert tiles.decode_index(tiles.encode_index(index)) == index
    for bad in ("", "1", "01", "x001", "001/x234", "x1/234", "x001/23a", "x001/x234/0677"):
        with pytest.raises(ValueError):
            tiles.decode_index(bad)
