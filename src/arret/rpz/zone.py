"""An operator's policy as the records of a DNS Response Policy Zone.

RPZ (draft-vixie-dnsop-dns-rpz, as implemented by BIND, Unbound, PowerDNS Recursor and
Knot Resolver) encodes each rule as a record whose owner is the blocked name placed under
the policy zone's origin; the CNAME target says what to do:

- `CNAME .`             → NXDOMAIN (action `nxdomain`);
- `CNAME *.`            → NODATA (action `nodata`);
- `CNAME <notice host>` → the answer is rewritten to the notice page host (`notice`);
- `CNAME rpz-passthru.` → answer normally (an allow-listed name below a blocked subtree).

A `subtree` rule is the name and `*.name`; an `exact` rule the name only. When an exact
and a subtree rule fall on the same owner with different actions, the strongest action
wins (as in `arret.domain.policy`): a zone may hold only one CNAME per owner.

Records are `(owner, target)` pairs of text: owner relative to the zone origin, target
absolute. Plain tuples keep a million-name zone small and fast to sort and compare.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from arret.domain.model import ACTION_STRENGTH, ACTION_VALUES, Action, Scope, TargetSpec
from arret.domain.policy import Covering, Policy
from arret.domain.triggers import SPECIAL_USE, trigger_problem

Record = tuple[str, str]

NXDOMAIN = "."
NODATA = "*."
PASSTHRU = "rpz-passthru."


@dataclass(frozen=True)
class FeedSettings:
    #: Parent of every operator's zone: the zone of operator `orange` is `orange.rpz.arret.`.
    origin: str = "rpz.arret."
    #: Host the `notice` action points to; it serves the page explaining the block.
    notice_host: str = "notice.arret.localhost."
    #: TTL of the policy records (resolvers cache the rewritten answers this long).
    ttl: int = 60
    # SOA timers for a policy feed (RFC 1035 §3.3.13): resolvers that miss a NOTIFY still
    # converge within about a minute; a two-week expire rides out a long primary outage.
    refresh: int = 60
    retry: int = 30
    expire: int = 14 * 24 * 3600
    minimum: int = 60
    #: The zone's one NS (RPZ zones are not delegated; convention is localhost).
    ns: str = "localhost."
    mname: str = "localhost."
    rname: str = "hostmaster.localhost."

    def zone(self, operator: str) -> str:
        return f"{operator}.{self.origin}"


def action_target(action: Action, settings: FeedSettings) -> str:
    if action is Action.NXDOMAIN:
        return NXDOMAIN
    if action is Action.NODATA:
        return NODATA
    return settings.notice_host


def too_long(name: str, zone: str) -> bool:
    """Would `*.name` under `zone` exceed the 255-octet wire limit (RFC 1035 §2.3.4)?"""
    # Wire length = sum of (1 + label length) + 1 for the root: text length + 2 for an
    # absolute name without the final dot; "*." adds 2.
    return len(name) + 2 + len(zone) + 2 > 255


# An owner that is well formed on the wire and in RPZ: labels of 1 to 63 octets (RFC 1035
# §2.3.4) of lowercase letters, digits and hyphens (what `arret.domain.names` writes: IDNs
# as A-labels, RFC 5891), and at most one "*" label, first (the subtree's wildcard, RFC
# 4592). Where a hyphen may stand within a label is a rule for registering names, decided
# at entry; it does not change what the owner means to a resolver.
_OWNER = re.compile(r"(?:\*\.)?(?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}")


def owner_problem(owner: str, zone: str) -> str | None:
    """Why `owner` (relative to the absolute `zone`) must not be served as a QNAME trigger
    of a site, or None. The last guard before the wire: entry refuses all of this
    already, so a problem here means a row that did not come through it."""
    # Wire length of "<owner>.<zone>": its text plus one length octet for the first label.
    if len(owner) + len(zone) + 2 > 255:
        return f"owner {owner}.{zone} exceeds 255 octets (RFC 1035 §2.3.4)"
    if _OWNER.fullmatch(owner) is None:
        return "not a normalized DNS name (lowercase LDH labels of 1 to 63 octets)"
    # Whom a well-formed trigger hits (a public suffix, a top-level name) is decided at
    # entry, with the Public Suffix List: too slow for every owner of every transfer.
    return trigger_problem(owner[2:] if owner.startswith("*.") else owner)


_OWNER_OCTETS = b"abcdefghijklmnopqrstuvwxyz0123456789-.*\n"
_SPECIAL_ENDS = tuple(f"{sep}{top}\n" for top in sorted(SPECIAL_USE) for sep in ".\n")


def _all_servable(owners: list[str], zone: str) -> bool:
    """Whether `owner_problem` finds nothing in any owner, decided with a few scans of the
    joined text in C (0.7 s for a million owners, which take 1 s to render) instead of a
    regex per owner (1.4 s). False only means: look at each owner."""
    short = min(63, 253 - len(zone))  # an owner this long can break no length limit
    if max(map(len, owners), default=0) > short and any(
        owner_problem(o, zone) for o in owners if len(o) > short
    ):
        return False
    # Each owner between newlines: an empty owner or label shows as two separators in a
    # row, and a last label as the text before a newline.
    text = "\n" + "\n".join(owners) + "\n"
    if not text.isascii() or text.encode("ascii").translate(None, _OWNER_OCTETS):
        return False  # a character no well-formed owner has
    if text.count("\n") != len(owners) + 1:
        return False  # a newline inside an owner
    if any(bad in text for bad in ("\n\n", "..", "\n.", ".\n", "rpz-", *_SPECIAL_ENDS)):
        return False
    return text.count("*") == text.count("\n*.")  # every "*" a whole first label


def servable(
    zone_entries: Sequence[Entry], zone: str
) -> tuple[Sequence[Entry], list[tuple[str, str]]]:
    """The entries that may go on the wire under `zone`, and `(owner, reason)` for each
    that may not (see `owner_problem`). The usual answer is the entries themselves."""
    if _all_servable([owner for owner, _ in zone_entries], zone):
        return zone_entries, []
    kept: list[Entry] = []
    refused: list[tuple[str, str]] = []
    for entry in zone_entries:
        problem = owner_problem(entry[0], zone)
        if problem is None:
            kept.append(entry)
        else:
            refused.append((entry[0], problem))
    return kept, refused


#: What a policy entry does: an `Action` value, or "passthru".
PASSTHRU_KIND = "passthru"
Entry = tuple[str, str]


def entries(policy: Policy) -> list[Entry]:
    """The zone's content as `(owner, kind)`, independent of settings, sorted by owner.

    The store keeps entries, not rendered records, so that the journal does not depend
    on the notice host or the origin; `records` renders them.
    """
    # Rules come sorted by name: when no name has two rules (an exact and a subtree one),
    # every owner has one rule, and the names and their wildcards are two sorted runs
    # that the final sort merges in one pass (a million names: no dictionary of two
    # million owners, and no full sort of them).
    plain: list[Entry] = []
    wild: list[Entry] = []
    previous = ""
    subtree = Scope.SUBTREE
    for name, scope, action, _ in policy.rules:
        if name <= previous:  # a second rule for a name (or rules out of order)
            return _merged_entries(policy)
        previous = name
        plain.append((name, action.value))
        if scope is subtree:
            wild.append((f"*.{name}", action.value))
    out = plain + wild
    out += [
        e for name in policy.passthru for e in ((name, PASSTHRU_KIND), (f"*.{name}", PASSTHRU_KIND))
    ]
    out.sort()
    return out


def covering_entries(covering: Sequence[Covering]) -> list[Entry] | None:
    """`entries(compile_policy(..., covering, allowed))` with nothing allow-listed, straight
    from the covering facts when every name in them is covered once (a registration of a
    million names): no rule per name, no dictionary of them, one sort of the facts by
    name. None when a name comes twice (an exact and a subtree rule, or two orders): the
    merge decides those."""
    facts = sorted(covering, key=_name_of)
    plain: list[Entry] = []
    wild: list[Entry] = []
    previous = ""
    subtree = Scope.SUBTREE
    kinds = ACTION_VALUES
    for name, scope, action, _ in facts:
        if name == previous:
            return None
        previous = name
        kind = kinds[action]
        plain.append((name, kind))
        if scope is subtree:
            wild.append((f"*.{name}", kind))
    # "*" sorts before every character of a name: the wildcards come first, already in
    # order (the sort below only confirms it).
    out = wild + plain
    out.sort()
    return out


def order_entries(targets: Sequence[TargetSpec], action: Action) -> list[Entry] | None:
    """`covering_entries` of one order's targets (`action`: the order's own), when they
    all share one scope and one action — a registration of a million names: the names
    are sorted once as text, and the entries built from them already in order ("*"
    sorts before every character a name starts with). None otherwise, or when a name
    comes twice (then `covering_entries` decides)."""
    kinds = {(t.scope, t.action) for t in targets}
    if len(kinds) != 1:
        return None
    scope, own = kinds.pop()
    kind = ACTION_VALUES[own or action]
    names = sorted([t.name for t in targets])
    if len(set(names)) != len(names) or (names and names[0] < "+"):
        return None
    plain = [(n, kind) for n in names]
    if scope is not Scope.SUBTREE:
        return plain
    return [(f"*.{n}", kind) for n in names] + plain


def _name_of(fact: Covering) -> str:
    return fact[0]


def _merged_entries(policy: Policy) -> list[Entry]:
    """`entries` when some names have several rules: the strongest action per owner."""
    best: dict[str, Action] = {}
    for rule in policy.rules:
        owners = (rule.name, f"*.{rule.name}") if rule.scope is Scope.SUBTREE else (rule.name,)
        for owner in owners:
            found = best.get(owner)
            if found is None or ACTION_STRENGTH[rule.action] > ACTION_STRENGTH[found]:
                best[owner] = rule.action
    out: list[Entry] = [(owner, action.value) for owner, action in best.items()]
    out += [
        e for name in policy.passthru for e in ((name, PASSTHRU_KIND), (f"*.{name}", PASSTHRU_KIND))
    ]
    out.sort()
    return out


def records(zone_entries: Iterable[Entry], settings: FeedSettings) -> list[Record]:
    """Entries rendered as `(owner, CNAME target)`, in the same order."""
    targets = {a.value: action_target(a, settings) for a in Action} | {PASSTHRU_KIND: PASSTHRU}
    return [(owner, targets[kind]) for owner, kind in zone_entries]


@dataclass(frozen=True)
class Delta:
    """What changes between two versions of a zone (RFC 1995 terms: deleted, added)."""

    removed: tuple[Entry, ...]
    added: tuple[Entry, ...]

    def is_empty(self) -> bool:
        return not self.removed and not self.added


def diff(old: Iterable[Entry], new: Iterable[Entry]) -> Delta:
    # A zone from empty (a new policy's first revision, a million entries): when `new`
    # is sorted without repeats already, as `entries` gives it, it is the change.
    if (
        isinstance(old, list | tuple)
        and not old
        and isinstance(new, list | tuple)
        and all(a < b for a, b in itertools.pairwise(new))
    ):
        return Delta((), tuple(new))
    before, after = set(old), set(new)
    return Delta(tuple(sorted(before - after)), tuple(sorted(after - before)))


def apply_delta(zone: Sequence[Entry], change: Delta) -> list[Entry]:
    """The sorted zone after `change`. A small change to a large zone (one mirror added to
    a million names) is applied in place by bisection: no set of two million entries is
    built and no full sort happens for it."""
    if len(change.removed) + len(change.added) > 1000:
        result = set(zone)
        missing = set(change.removed) - result
        if missing:
            raise ValueError(f"delta removes records the zone does not hold: {sorted(missing)[:3]}")
        result -= set(change.removed)
        result |= set(change.added)
        return sorted(result)
    out = list(zone)
    for entry in change.removed:
        at = bisect.bisect_left(out, entry)
        if at == len(out) or out[at] != entry:
            raise ValueError(f"delta removes a record the zone does not hold: {entry}")
        del out[at]
    for entry in change.added:
        at = bisect.bisect_left(out, entry)
        if at == len(out) or out[at] != entry:
            out.insert(at, entry)
    return out


#: Entries per chunk of a `ZoneEntries`: a change copies the chunks it touches (each at
#: most twice this) and the list of chunks (a million-name zone: about a thousand).
CHUNK = 1024


class ZoneEntries(Sequence[Entry]):
    """A zone's entries, sorted and immutable, held in chunks that versions share.

    `apply` makes the next version at the cost of what changes: the chunks a change
    touches are copied, every other chunk is shared with the version before. A server
    holding a million-name zone turns one added mirror into the next version in well
    under a millisecond, where copying the whole tuple (twice) took 0.1 s at 2,000,000
    entries (`bench/scale.py`, the API's amendment until a resolver blocks). The same
    result as `apply_delta`, which a property test checks."""

    __slots__ = ("_chunk", "_chunks", "_firsts", "_len", "_starts")

    def __init__(self, entries: Iterable[Entry] = (), chunk: int = CHUNK) -> None:
        """From entries already sorted without repeats (as `entries` and the journal
        give them), `chunk` to a chunk (tests make it tiny)."""
        items = entries if isinstance(entries, list | tuple) else list(entries)
        self._chunk = chunk
        self._set(tuple(tuple(items[i : i + chunk]) for i in range(0, len(items), chunk)))

    def _set(self, chunks: tuple[tuple[Entry, ...], ...]) -> None:
        self._chunks = chunks
        self._firsts = [chunk[0] for chunk in chunks]
        self._starts = list(itertools.accumulate((len(c) for c in chunks), initial=0))
        self._len = self._starts[-1]

    @classmethod
    def _of(cls, chunks: tuple[tuple[Entry, ...], ...], chunk: int) -> ZoneEntries:
        made = cls.__new__(cls)
        made._chunk = chunk
        made._set(chunks)
        return made

    def __len__(self) -> int:
        return self._len

    @property
    def chunks(self) -> tuple[tuple[Entry, ...], ...]:
        """The chunks, in order. A chunk no change touched is the same object in every
        version that holds it (what `arret.feed.render` keys its rendered records by)."""
        return self._chunks

    def __iter__(self) -> Iterator[Entry]:
        return itertools.chain.from_iterable(self._chunks)

    def __contains__(self, entry: object) -> bool:
        if not isinstance(entry, tuple) or not self._chunks:
            return False
        chunk = self._chunks[max(0, bisect.bisect_right(self._firsts, entry) - 1)]
        at = bisect.bisect_left(chunk, entry)
        return at < len(chunk) and chunk[at] == entry

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...
    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("zone entry index out of range")
        which = bisect.bisect_right(self._starts, index) - 1
        return self._chunks[which][index - self._starts[which]]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same entries in the same order (a tuple, a list)."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ZoneEntries({len(self)} entries in {len(self._chunks)} chunks)"

    def apply(self, change: Delta) -> ZoneEntries:
        """The next version: `change.removed` taken out (each must be held: ValueError
        otherwise, nothing changed), `change.added` put in (one already held is kept once).
        Each changed entry goes to the chunk whose range holds it, so the chunks stay in
        order; a chunk grown past twice the chunk size is split, an emptied one dropped."""
        if not self._chunks:
            if change.removed:
                raise ValueError(f"delta removes records the zone does not hold: "
                                 f"{sorted(change.removed)[:3]}")  # fmt: skip
            return ZoneEntries(sorted(set(change.added)), self._chunk)
        firsts = self._firsts
        where: dict[int, tuple[list[Entry], list[Entry]]] = {}
        for index, side in ((0, change.removed), (1, change.added)):
            for entry in side:
                which = max(0, bisect.bisect_right(firsts, entry) - 1)
                where.setdefault(which, ([], []))[index].append(entry)
        size = self._chunk
        out: list[tuple[Entry, ...]] = []
        for which, chunk in enumerate(self._chunks):
            if which not in where:
                out.append(chunk)
                continue
            changed = _changed(chunk, *where[which])
            if len(changed) > 2 * size:
                out.extend(tuple(changed[i : i + size]) for i in range(0, len(changed), size))
            elif changed:
                out.append(tuple(changed))
        return ZoneEntries._of(tuple(out), size)


def _changed(chunk: tuple[Entry, ...], removed: list[Entry], added: list[Entry]) -> list[Entry]:
    """One chunk after a change, sorted: by bisection for a few entries, by sets for many."""
    if len(removed) + len(added) > 32:
        held = set(chunk)
        missing = set(removed) - held
        if missing:
            raise ValueError(f"delta removes records the zone does not hold: {sorted(missing)[:3]}")
        return sorted((held - set(removed)) | set(added))
    out = list(chunk)
    for entry in removed:
        at = bisect.bisect_left(out, entry)
        if at == len(out) or out[at] != entry:
            raise ValueError(f"delta removes a record the zone does not hold: {entry}")
        del out[at]
    for entry in added:
        at = bisect.bisect_left(out, entry)
        if at == len(out) or out[at] != entry:
            out.insert(at, entry)
    return out
