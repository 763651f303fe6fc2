"""The log's right edge (its *frontier*): what appending needs of a tree, instead of all
its leaves. Pure.

A tree of n leaves (RFC 9162 §2.1.1) is a sequence of perfect subtrees, one per 1-bit of
n, largest first; the frontier is their roots. Appending a leaf adds a subtree of one
leaf, and equal-sized neighbours merge (`push`); the tree's root folds the frontier from
the right (`root`). A log of n leaves thus keeps at most log2(n)+1 hashes to sign its
next head, and each append costs O(log n) hashes (amortised O(1)).

The verifier recomputes roots its own way (`arret.tlog.verify`), and both are tested
against the recursive definition (`arret.tlog.merkle.root`), so that a mistake here is
not mirrored there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from arret.tlog.merkle import EMPTY_ROOT, node_hash


def push(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier after appending leaf hash `leaf` to a tree of `size` leaves whose
    frontier is `frontier` (not changed)."""
    edge = [*frontier, leaf]
    while size & 1:
        right, left = edge.pop(), edge.pop()
        edge.append(node_hash(left, right))
        size >>= 1
    return edge


def root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree whose frontier is `frontier` (the empty tree's root when empty)."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        acc = node_hash(subtree, acc)
    return acc


def extend(
    frontier: Sequence[bytes], size: int, leaves: Iterable[bytes], every: int = 1
) -> tuple[list[bytes], list[tuple[int, bytes]]]:
    """Append the leaf hashes `leaves` to the tree of `size` leaves whose frontier is
    `frontier`: the new frontier, and the (size, root) of the tree after every
    `every`-th leaf and after the last — the heads to sign. No leaves: no roots."""
    edge = list(frontier)
    start = size
    roots: list[tuple[int, bytes]] = []
    for leaf in leaves:
        edge = push(edge, size, leaf)
        size += 1
        if size % every == 0:
            roots.append((size, root(edge)))
    if size > start and (not roots or roots[-1][0] != size):
        roots.append((size, root(edge)))
    return edge, roots
