"""RFC 9162 Merkle trees: the published test vectors (facts carried over from Certificate
Transparency's reference data: the eight leaves and the roots of sizes 0 to 8, two audit
paths), and properties over random trees: every generated proof verifies with the
independent verifier, and any change to a leaf, a proof step, a size or a root fails it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.ctvectors import LEAVES, ROOTS

from arret.tlog.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

HASHES = [leaf_hash(leaf) for leaf in LEAVES]


def test_roots_of_every_size_match_the_reference() -> None:
    assert ROOTS[0] == EMPTY_ROOT
    for size in range(len(LEAVES) + 1):
        assert root(HASHES[:size]) == ROOTS[size], size


@pytest.mark.parametrize(
    ("index", "path"),
    [
        (0, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ],
)  # fmt: skip
def test_audit_paths_match_the_reference(index: int, path: list[str]) -> None:
    proof = inclusion_proof(index, HASHES)
    assert [p.hex() for p in proof] == path
    assert verify_inclusion(HASHES[index], index, 8, proof, ROOTS[8])


def test_consistency_between_every_pair_of_reference_sizes() -> None:
    for new in range(1, 9):
        for old in range(1, new + 1):
            proof = consistency_proof(old, HASHES[:new])
            assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof), (old, new)
            assert not verify_consistency(old, new, ROOTS[old - 1], ROOTS[new], proof) or (
                old == 1 and ROOTS[0] == ROOTS[1]
            )


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(8, HASHES)
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(0, HASHES)
    assert not verify_inclusion(HASHES[0], 8, 8, [], ROOTS[8])
    assert not verify_consistency(5, 3, ROOTS[5], ROOTS[3], [ROOTS[1]])


trees = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(
    lambda leaves: [leaf_hash(x) for x in leaves]
)


@given(trees, st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(index, leaves)
    top = root(leaves)
    assert verify_inclusion(leaves[index], index, n, proof, top)
    forged = leaf_hash(b"forged")
    assert not verify_inclusion(forged, index, n, proof, top)
    if n > 1:
        other = (index + 1) % n
        assert not verify_inclusion(leaves[index], other, n, proof, top) or (
            leaves[other] == leaves[index]
        )
    if proof:
        step = data.draw(st.integers(0, len(proof) - 1))
        broken = [*proof[:step], leaf_hash(proof[step]), *proof[step + 1 :]]
        assert not verify_inclusion(leaves[index], index, n, broken, top)
        assert not verify_inclusion(leaves[index], index, n, proof[:-1], top)


@given(trees, st.data())
def test_every_consistency_proof_verifies_and_a_rewritten_past_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    old = data.draw(st.integers(1, n))
    proof = consistency_proof(old, leaves)
    old_root, new_root = root(leaves[:old]), root(leaves)
    assert verify_consistency(old, n, old_root, new_root, proof)
    # A log that rewrote one of the first `old` leaves cannot prove consistency.
    changed = data.draw(st.integers(0, old - 1))
    rewritten = [*leaves[:changed], leaf_hash(b"rewritten"), *leaves[changed + 1 :]]
    if rewritten[changed] != leaves[changed] and old < n:
        forged_root = root(rewritten)
        assert not verify_consistency(old, n, old_root, forged_root,
                                      consistency_proof(old, rewritten))  # fmt: skip
