"""Checking a log from outside: signatures, consistency with a head
saved earlier, every leaf's hash, and the root each signed head claims.

The verifier reads a `Source` — a server's public endpoints or a database — and trusts
nothing it says but what the signing key signed. Roots are recomputed with
`arret.tlog.merkle.root` (the recursive definition) and proofs checked with the iterative
verifiers, not with the frontier arithmetic the log appends with (`arret.tlog.frontier`), so
a mistake there shows here instead of being repeated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from arret.tlog import keys
from arret.tlog.keys import KeyChain
from arret.tlog.leaves import NAME_FIELDS, canonical, parts_digest
from arret.tlog.merkle import leaf_hash, node_hash, root, verify_consistency, verify_inclusion
from arret.tlog.signing import TreeHead, key_id, verify_head

PAGE = 1000

#: Told what the verifier is doing and how far it is: (what, done, total), once a page
#: (`arret.progress.Progress`, which the pure core does not import).
Progress = Callable[[str, int, int | None], None]


def _silent(what: str, done: int, total: int | None) -> None:
    """Nobody watches."""


class Source(Protocol):
    def public_key(self) -> bytes: ...

    def head(self, size: int | None = None) -> TreeHead | None: ...

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        """(index, data, stored hash) of leaves start ≤ index < end."""
        ...

    def consistency(self, first: int, second: int) -> list[bytes]: ...

    def heads(self, start: int, end: int) -> list[TreeHead]:
        """The signed heads of sizes start ≤ size < end."""
        ...


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
    #: The verified leaves' data, from leaf `start` on (for checks built on top: feeds,
    #: registry): all of them, or those appended since a checkpoint.
    data: list[str] = field(default_factory=list)
    start: int = 0
    #: The right edge of the verified tree (`Checkpoint.frontier`), when it verified.
    frontier: list[bytes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def first_bad_leaf(self) -> int | None:
        leaves = [p.leaf for p in self.problems if p.leaf is not None]
        return min(leaves) if leaves else None

    def add(self, leaf: int | None, message: str) -> None:
        self.problems.append(Problem(leaf, message))


@dataclass(frozen=True)
class Checkpoint:
    """Where an earlier verification ended: its signed head and the right edge of its
    tree (the roots of the perfect subtrees the head's leaves make, largest first — one
    per 1-bit of the size). A verification from a checkpoint reads only the leaves after
    it: the edge, folded, must give the head's root, and pushing the new leaves onto it
    gives the root of every newer head."""

    head: TreeHead
    frontier: list[bytes]


def _start(chain: KeyChain, checkpoint: Checkpoint, report: Report) -> _PrefixRoots | None:
    """The prefix roots to go on from at `checkpoint` (None: it is not one of this log)."""
    head = checkpoint.head
    if not verify_head(chain.key_for(head.size), head):
        report.add(None, f"the checkpoint's head (size {head.size}) is not signed by this key")
        return None
    prefix = _PrefixRoots()
    sizes = [1 << b for b in range(head.size.bit_length() - 1, -1, -1) if head.size >> b & 1]
    if len(sizes) != len(checkpoint.frontier) or not sizes:
        report.add(None, f"the checkpoint's edge does not fit a tree of {head.size} leaves")
        return None
    prefix.stack = list(zip(sizes, checkpoint.frontier, strict=True))
    prefix.size = head.size
    if prefix.root() != head.root_hash:
        report.add(None, f"the checkpoint's edge does not give its head's root (size {head.size})")
        return None
    return prefix


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


def verify(
    source: Source,
    saved: TreeHead | None = None,
    pinned: str | None = None,
    checkpoint: Checkpoint | None = None,
    progress: Progress = _silent,
) -> Report:
    """Everything a log must satisfy, from `saved` (or from nothing) to the newest head;
    from `checkpoint`, only what was appended after it (and that it extends it).
    `progress` hears of each page of leaves and of signed heads."""
    report = Report()
    public = source.public_key()
    chain = chain_of(source)
    report.key_id = key_id(chain.current)
    if public not in (k for _, k in chain.spans):
        report.add(None, f"the key {key_id(public)} is not one of the log's keys "
                   f"({', '.join(chain.ids())})")  # fmt: skip
        return report
    if pinned is not None and pinned.lower() not in chain.ids():
        report.add(None, f"the log is signed by key {report.key_id}, not by the pinned {pinned}"
                   + (f" (nor was it handed over from it: {', '.join(chain.ids())})"
                      if len(chain.spans) > 1 else ""))  # fmt: skip
        return report
    latest = source.head()
    report.head = latest
    if latest is None:
        for earlier in (saved, None if checkpoint is None else checkpoint.head):
            if earlier is not None and earlier.size > 0:
                report.add(None, f"the log is empty, and your saved head has {earlier.size} "
                           "leaves")  # fmt: skip
        return report
    if not verify_head(chain.key_for(latest.size), latest):
        report.add(latest.size - 1, f"the newest tree head (size {latest.size}) has a "
                   "signature that does not verify")  # fmt: skip
        return report
    prefix = _PrefixRoots()
    if checkpoint is not None:
        found = _start(chain, checkpoint, report)
        if found is None:
            return report
        _extends(source, chain, checkpoint.head, latest, report)
        if not report.ok:
            return report
        prefix = found
    if saved is not None:
        _extends(source, chain, saved, latest, report)
    report.start = prefix.size
    hashes: list[bytes] = []
    names = _NamesCheck(report)
    handed = _HandoverCheck(report, chain)
    start = prefix.size
    while start < latest.size:
        progress("reading and hashing the leaves", start, latest.size)
        # A server may answer fewer leaves than asked (it bounds a page's bytes): ask
        # again from the first one missing.
        page = source.leaves(start, min(start + PAGE, latest.size))
        if not page:
            report.add(start, f"missing: the head says {latest.size} leaves, the log has "
                       f"{start}")  # fmt: skip
            return report
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
            record = _parse(raw)
            if record is None:
                report.add(index, "its data is not canonical JSON")
            else:
                names.see(index, record, computed)
                handed.see(index, record)
            hashes.append(computed)
            report.data.append(data)
        start += len(page)
    names.end(latest.size)
    handed.end(prefix.size, latest.size)
    if checkpoint is None:
        _check_heads(source, chain, latest, hashes, report, progress)
    else:
        _check_heads_from(source, chain, latest, prefix, hashes, report, progress)
    mine = saved is not None and 0 < saved.size <= latest.size and report.ok
    if (
        mine
        and saved is not None
        and checkpoint is None
        and (root(hashes[: saved.size]) != saved.root_hash)
    ):
        report.add(None, f"the leaves do not give your saved head's root (size {saved.size})")
    if report.ok:
        report.frontier = [h for _, h in _pushed(prefix, hashes).stack]
    return report


def chain_of(source: Source) -> KeyChain:
    """The source's keys over the log's life (`arret.tlog.keys`); a source that knows of
    no hand-over has one key."""
    found = getattr(source, "keys", None)
    return found() if callable(found) else KeyChain.of(source.public_key())


class _HandoverCheck:
    """Every hand-over leaf read is one of the chain's links, at its place, with a proof
    by its new key; every link of the chain after the first leaf read is such a leaf."""

    def __init__(self, report: Report, chain: KeyChain) -> None:
        self.report, self.chain = report, chain
        self.seen: set[int] = set()

    def see(self, index: int, record: dict[str, Any]) -> None:
        try:
            handover = keys.parse(record)
        except ValueError as exc:
            self.report.add(index, f"a malformed key hand-over: {exc}")
            return
        if handover is None:
            return
        if handover.size != index:
            self.report.add(index, f"a key hand-over that claims to be leaf {handover.size}")
        elif (handover.first_size, handover.new) not in self.chain.spans:
            self.report.add(index, "a key hand-over the log's key history does not list")
        elif self.chain.key_for(index + 1) != handover.old:
            self.report.add(index, "a key hand-over from a key that was not in force")
        elif not handover.proof_verifies():
            self.report.add(index, "a key hand-over whose new key did not sign it")
        self.seen.add(handover.first_size)

    def end(self, start: int, size: int) -> None:
        for first, _key in self.chain.spans[1:]:
            if start <= first - 2 < size and first not in self.seen:
                self.report.add(first - 2, "the key history says the key was handed over "
                                "here, and this leaf is not that hand-over")  # fmt: skip


def _extends(
    source: Source, chain: KeyChain, earlier: TreeHead, latest: TreeHead, report: Report
) -> None:
    if not verify_head(chain.key_for(earlier.size), earlier):
        report.add(None, f"your saved head (size {earlier.size}) is not signed by this key")
    elif earlier.size > latest.size:
        report.add(None, f"the log shrank: your saved head has {earlier.size} leaves, the "
                   f"newest has {latest.size}")  # fmt: skip
    elif earlier.size > 0:
        old, new = earlier.size, latest.size
        proof = [] if old == new else source.consistency(old, new)
        if not verify_consistency(old, new, earlier.root_hash, latest.root_hash, proof):
            report.add(
                None,
                f"the newest head (size {new}) does not extend your saved head (size "
                f"{old}): the history was rewritten",
            )


def _pushed(prefix: _PrefixRoots, hashes: Sequence[bytes]) -> _PrefixRoots:
    out = _PrefixRoots()
    out.size, out.stack = prefix.size, list(prefix.stack)
    for h in hashes:
        out.push(h)
    return out


class _NamesCheck:
    """An event leaf that announces names leaves (`arret.tlog.leaves.split_record`) is
    followed by exactly those: as many as it says, of its event, numbered from 1, holding
    as many names as it says, and whose hashes give its digest."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.event: tuple[int, dict[str, Any]] | None = None
        self.hashes: list[bytes] = []
        self.count = 0

    def see(self, index: int, record: dict[str, Any], digest: bytes) -> None:
        if record.get("type") == "names":
            if self.event is None:
                self.report.add(index, "a names leaf that follows no event leaf announcing it")
                return
            at, announced = self.event
            if record.get("seq") != announced["seq"] or record.get("part") != len(self.hashes) + 1:
                self.report.add(index, f"not the names leaf {len(self.hashes) + 1} of the "
                                f"event of leaf {at}")  # fmt: skip
            self.hashes.append(digest)
            self.count += sum(len(record.get(f) or []) for f in NAME_FIELDS)
            if len(self.hashes) == announced["names"].get("leaves"):
                self._close()
            return
        if self.event is not None:
            self._close(index)
        names = record.get("names") if record.get("type") == "event" else None
        if isinstance(names, dict):
            if not isinstance(names.get("leaves"), int) or names["leaves"] < 1:
                self.report.add(index, "its names are announced over no names leaf")
                return
            self.event, self.hashes, self.count = (index, record), [], 0

    def _close(self, cut: int | None = None) -> None:
        assert self.event is not None
        at, record = self.event
        names = record["names"]
        self.event = None
        if cut is not None:
            self.report.add(at, f"its event announces {names.get('leaves')} names leaves; "
                            f"{len(self.hashes)} follow it")  # fmt: skip
        elif parts_digest(self.hashes) != names.get("digest") or self.count != names.get("count"):
            self.report.add(at, "its names leaves do not give the count and digest it "
                            "announces")  # fmt: skip

    def end(self, size: int) -> None:
        if self.event is not None:
            self._close(size)


def _check_heads_from(
    source: Source,
    chain: KeyChain,
    latest: TreeHead,
    prefix: _PrefixRoots,
    hashes: Sequence[bytes],
    report: Report,
    progress: Progress = _silent,
) -> None:
    """Every signed head after a checkpoint: its signature, and the root its leaves give,
    pushed onto the checkpoint's edge."""
    prefix = _pushed(prefix, [])
    first = prefix.size + 1
    expected, at = first, 0
    for start in range(first, latest.size + 1, PAGE):
        progress("checking the signed tree heads", start - first, latest.size + 1 - first)
        for signed in source.heads(start, min(start + PAGE, latest.size + 1)):
            if signed.size != expected:
                report.add(expected - 1, f"the tree head of size {expected} is missing")
                return
            while prefix.size < signed.size:
                prefix.push(hashes[at])
                at += 1
            if not verify_head(chain.key_for(signed.size), signed):
                report.add(signed.size - 1, f"the tree head of size {signed.size} has a "
                           "signature that does not verify")  # fmt: skip
                return
            if prefix.root() != signed.root_hash:
                report.add(signed.size - 1, f"the leaves no longer give the root signed for "
                           f"size {signed.size}: this leaf was changed after it was "
                           "signed")  # fmt: skip
                return
            expected += 1
    if expected != latest.size + 1:
        report.add(expected - 1, f"the tree head of size {expected} is missing")


def _check_heads(
    source: Source,
    chain: KeyChain,
    latest: TreeHead,
    hashes: Sequence[bytes],
    report: Report,
    progress: Progress = _silent,
) -> None:
    """Every signed head, from size 1 to the newest: its signature, and the root the
    leaves give at its size. The first head that fails names its last leaf."""
    if root(hashes) != latest.root_hash:
        # The newest head is signed, so some leaf changed after signing: find the first
        # head it breaks (bisection over the prefix roots, each a full recomputation).
        def matches(k: int) -> bool | None:
            signed = source.head(k)
            if signed is None or not verify_head(chain.key_for(k), signed):
                return None
            return root(hashes[:k]) == signed.root_hash

        k, unsigned = _first_mismatch(latest.size, matches)
        if unsigned:
            report.add(k - 1, f"the tree head of size {k} is missing or its signature does "
                       "not verify")  # fmt: skip
        else:
            report.add(k - 1, f"the leaves no longer give the root signed for size {k}: "
                       "this leaf was changed after it was signed")  # fmt: skip
        return
    prefix = _PrefixRoots()
    expected = 1
    for start in range(1, latest.size + 1, PAGE):
        progress("checking the signed tree heads", start - 1, latest.size)
        for signed in source.heads(start, min(start + PAGE, latest.size + 1)):
            if signed.size != expected:
                report.add(expected - 1, f"the tree head of size {expected} is missing")
                return
            while prefix.size < signed.size:
                prefix.push(hashes[prefix.size])
            if not verify_head(chain.key_for(signed.size), signed):
                report.add(signed.size - 1, f"the tree head of size {signed.size} has a "
                           "signature that does not verify")  # fmt: skip
                return
            if prefix.root() != signed.root_hash:
                report.add(signed.size - 1, f"the tree head of size {signed.size} signs a "
                           "root its leaves do not give")  # fmt: skip
                return
            expected += 1
    if expected != latest.size + 1:
        report.add(expected - 1, f"the tree head of size {expected} is missing")


class _PrefixRoots:
    """The root of every prefix of a leaf sequence, one leaf at a time: a stack of
    (size, hash) of complete subtrees, merged while the two on top are equally large
    (RFC 9162's tree is these subtrees, largest first, folded from the right)."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[tuple[int, bytes]] = []

    def push(self, leaf: bytes) -> None:
        self.stack.append((1, leaf))
        while len(self.stack) > 1 and self.stack[-1][0] == self.stack[-2][0]:
            (n, right), (_, left) = self.stack.pop(), self.stack.pop()
            self.stack.append((2 * n, node_hash(left, right)))
        self.size += 1

    def root(self) -> bytes:
        acc = self.stack[-1][1]
        for _, subtree in reversed(self.stack[:-1]):
            acc = node_hash(subtree, acc)
        return acc


def _parse(raw: bytes) -> dict[str, Any] | None:
    """The leaf's record when `raw` is its canonical JSON (None: it is not)."""
    try:
        record = json.loads(raw)
        return record if isinstance(record, dict) and canonical(record) == raw else None
    except (ValueError, TypeError):
        return None


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
