"""The frontier the log appends with (`arret.tlog.frontier`) against independent
references: Certificate Transparency's roots of the trees of sizes 0 to 8, and, on random
leaves, the recursive definition of RFC 9162 §2.1.1 — the root at every size, and each
hash of the frontier being the root of the perfect subtree it stands for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support.ctvectors import LEAVES, ROOTS

from arret.tlog import frontier
from arret.tlog.merkle import leaf_hash, root


def edges(hashes: list[bytes]) -> list[list[bytes]]:
    """The frontier after each append, from the empty tree's."""
    edge: list[bytes] = []
    out = [edge]
    for size, h in enumerate(hashes):
        edge = frontier.push(edge, size, h)
        out.append(edge)
    return out


def subtrees(size: int) -> list[tuple[int, int]]:
    """The leaf ranges of the perfect subtrees a tree of `size` leaves splits into,
    largest first: one per 1-bit of the size."""
    out, start = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            out.append((start, start + (1 << bit)))
            start += 1 << bit
    return out


def test_the_roots_of_every_size_are_the_ct_reference_roots() -> None:
    hashes = [leaf_hash(x) for x in LEAVES]
    assert [frontier.root(edge) for edge in edges(hashes)] == ROOTS


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=130))
def test_every_frontier_holds_the_roots_of_its_perfect_subtrees(leaves: list[bytes]) -> None:
    hashes = [leaf_hash(x) for x in leaves]
    for size, edge in enumerate(edges(hashes)):
        assert edge == [root(hashes[lo:hi]) for lo, hi in subtrees(size)]
        assert frontier.root(edge) == root(hashes[:size])


def test_push_leaves_the_frontier_it_was_given_unchanged() -> None:
    hashes = [leaf_hash(x) for x in LEAVES]
    edge = edges(hashes[:7])[-1]
    before = list(edge)
    after = frontier.push(edge, 7, hashes[7])
    assert edge == before and len(after) == 1
    assert after == [ROOTS[8]]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.binary(max_size=4), max_size=40),
    st.lists(st.binary(max_size=4), max_size=40),
    st.integers(min_value=1, max_value=9),
)
def test_extend_gives_the_roots_to_sign_and_the_frontier_of_the_longer_tree(
    before: list[bytes], added: list[bytes], every: int
) -> None:
    old = [leaf_hash(x) for x in before]
    new = [leaf_hash(x) for x in added]
    edge, roots = frontier.extend(edges(old)[-1], len(old), new, every)
    assert edge == edges(old + new)[-1]
    sizes = [n for n in range(len(old) + 1, len(old) + len(new) + 1)
             if n % every == 0 or n == len(old) + len(new)]  # fmt: skip
    assert roots == [(n, root((old + new)[:n])) for n in sizes]
