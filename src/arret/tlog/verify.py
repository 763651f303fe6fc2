"""Checking a log from outside (issue 6, item 6): signatures, consistency with a head
saved earlier, every leaf's hash, and the root each signed head claims.

The verifier reads a `Source` — a server's public endpoints or a database — and trusts
nothing it says but what the signing key signed. Roots are recomputed with
`arret.tlog.merkle.root` (the recursive definition) and proofs checked with the iterative
verifiers, not with the frontier arithmetic the log appends with (`arret.store.log`), so
a mistake there shows here instead of being repeated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from arret.tlog.leaves import canonical
from arret.tlog.merkle import leaf_hash, root, verify_consistency, verify_inclusion
from arret.tlog.signing import TreeHead, key_id, verify_head

PAGE = 1000


class Source(Protocol):
    def public_key(self) -> bytes: ...

    def head(self, size: int | None = None) -> TreeHead | None: ...

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        """(index, data, stored hash) of leaves start ≤ index < end."""
        ...

    def consistency(self, first: int, second: int) -> list[bytes]: ...


@dataclass(frozen=True)
class Problem:
    #: The first leaf concerned (None: the problem is not one leaf's).
    leaf: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.leaf is None else f"leaf {self.leaf}: {self.message}"


@dataclass
class Report:
    head: TreeHead | None = None
    key_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    #: The verified leaves' data, by index (for checks built on top: feeds, registry).
    data: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def first_bad_leaf(self) -> int | None:
        leaves = [p.leaf for p in self.problems if p.leaf is not None]
        return min(leaves) if leaves else None

    def add(self, leaf: int | None, message: str) -> None:
        self.problems.append(Problem(leaf, message))


def _first_mismatch(size: int, matches: Callable[[int], bool | None]) -> tuple[int, bool]:
    """The smallest k in 1..size whose signed head does not match the leaves (a leaf
    before k changed; leaves are never changed so matching is monotone), by bisection.
    Returns (k, head_missing_or_unsigned)."""
    lo, hi = 0, size  # heads up to lo match; head `hi` does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        result = matches(mid)
        if result is None:
            return mid, True
        if result:
            lo = mid
        else:
            hi = mid
    return hi, False


def verify(source: Source, saved: TreeHead | None = None, pinned: str | None = None) -> Report:
    """Everything a log must satisfy, from `saved` (or from nothing) to the newest head."""
    report = Report()
    public = source.public_key()
    report.key_id = key_id(public)
    if pinned is not None and report.key_id != pinned.lower():
        report.add(None, f"the log is signed by key {report.key_id}, not by the pinned {pinned}")
        return report
    latest = source.head()
    report.head = latest
    if latest is None:
        if saved is not None and saved.size > 0:
            report.add(None, f"the log is empty, and your saved head has {saved.size} leaves")
        return report
    if not verify_head(public, latest):
        report.add(latest.size - 1, f"the newest tree head (size {latest.size}) has a "
                   "signature that does not verify")  # fmt: skip
        return report
    if saved is not None:
        if not verify_head(public, saved):
            report.add(None, f"your saved head (size {saved.size}) is not signed by this key")
        elif saved.size > latest.size:
            report.add(None, f"the log shrank: your saved head has {saved.size} leaves, the "
                       f"newest has {latest.size}")  # fmt: skip
        elif saved.size > 0:
            old, new = saved.size, latest.size
            proof = [] if old == new else source.consistency(old, new)
            if not verify_consistency(old, new, saved.root_hash, latest.root_hash, proof):
                report.add(
                    None,
                    f"the newest head (size {new}) does not extend your saved head (size "
                    f"{old}): the history was rewritten",
                )
    hashes: list[bytes] = []
    for start in range(0, latest.size, PAGE):
        end = min(start + PAGE, latest.size)
        page = source.leaves(start, end)
        for offset, (index, data, stored) in enumerate(page):
            expected_index = start + offset
            if index != expected_index:
                report.add(expected_index, f"missing (the log skips to leaf {index})")
                return report
            raw = data.encode("utf-8")
            computed = leaf_hash(raw)
            if computed != stored:
                report.add(index, "its data does not hash to its recorded hash "
                           f"({computed.hex()[:16]}… ≠ {stored.hex()[:16]}…)")  # fmt: skip
            if not _is_canonical(raw):
                report.add(index, "its data is not canonical JSON")
            hashes.append(computed)
            report.data.append(data)
        if len(page) < end - start:
            report.add(start + len(page), f"missing: the head says {latest.size} leaves, the "
                       f"log has {start + len(page)}")  # fmt: skip
            return report
    _check_roots(source, public, latest, hashes, report)
    mine = saved is not None and 0 < saved.size <= latest.size and report.ok
    if mine and saved is not None and root(hashes[: saved.size]) != saved.root_hash:
        report.add(None, f"the leaves do not give your saved head's root (size {saved.size})")
    return report


def _check_roots(
    source: Source, public: bytes, latest: TreeHead, hashes: Sequence[bytes], report: Report
) -> None:
    if root(hashes) == latest.root_hash:
        return

    def matches(k: int) -> bool | None:
        signed = source.head(k)
        if signed is None or not verify_head(public, signed):
            return None
        return root(hashes[:k]) == signed.root_hash

    k, unsigned = _first_mismatch(latest.size, matches)
    if unsigned:
        report.add(k - 1, f"the tree head of size {k} is missing or its signature does not "
                   "verify")  # fmt: skip
    else:
        report.add(k - 1, f"the leaves no longer give the root signed for size {k}: this "
                   "leaf was changed after it was signed")  # fmt: skip


def _is_canonical(raw: bytes) -> bool:
    try:
        return canonical(json.loads(raw)) == raw
    except (ValueError, TypeError):
        return False


def check_inclusion(
    public: bytes, head: TreeHead, index: int, data: str, proof: Sequence[bytes]
) -> str | None:
    """Why leaf `index` holding `data` is not proven in `head` (None: it is)."""
    if not verify_head(public, head):
        return f"the tree head (size {head.size}) has a signature that does not verify"
    if not verify_inclusion(leaf_hash(data.encode("utf-8")), index, head.size, proof,
                            head.root_hash):  # fmt: skip
        return f"leaf {index} is not proven to be in the signed tree of size {head.size}"
    return None
