"""DNS names as targets of a blocking order: read them, refuse what would hurt bystanders.

A blocking order names sites; an ISP resolver blocks DNS names. Everything here exists so
that what the resolver ends up blocking is exactly what the court named and nothing more:

* `normalize` turns what a clerk typed or pasted into the one canonical wire-comparable
  form (lowercase A-labels, no trailing dot), so that the same name is always the same
  string in the registry, in diffs and in the resolver feed. Unicode input is accepted
  the way browsers accept it: UTS #46 mapping, then IDNA 2008 (RFC 5891) validation.
* Inputs that are not a DNS name but are often given in its place (IP addresses, URLs,
  wildcards, bare top-level names) are refused with a reason that says what to give
  instead, because guessing would either miss the site or hit its neighbours.
* `check_target` adds the bystander rules: no public suffix (a whole registry of other
  people's sites) and nothing the operator put on the allow-list; and the feed's rules
  (`arret.domain.triggers`): nothing RPZ reads as other than a name, no special-use name,
  none of Arrêt's own names.

Names are plain `str` in the normalized form; functions other than `normalize` and
`check_target(s)` expect that form and do not re-validate it.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet

import idna
import publicsuffixlist
from publicsuffixlist import PublicSuffixList

from arret.domain.triggers import (
    RPZ_PREFIX,
    SPECIAL_USE,
    covered_reserved,
    reserved_problem,
    trigger_problem,
)
from arret.errors import InvalidName, InvalidTargets

__all__ = [
    "check_feed_name",
    "check_target",
    "check_targets",
    "covering_entry",
    "is_public_suffix",
    "is_under",
    "normalize",
    "to_unicode",
]

# RFC 1035 §2.3.4: a label is at most 63 octets and a name at most 255 octets on the
# wire. The wire form spends one length octet per label plus the root's zero octet, so
# the dotted text form without the trailing dot may be at most 253 characters.
MAX_LABEL_OCTETS = 63
MAX_NAME_OCTETS = 253

#: The longest text read as a name, in characters (Unicode allowed, so far longer than
#: the 253 octets of its A-labels): idna refuses anything longer before looking at it, so
#: it is checked first, for a reason about length (which the user can act on) rather than
#: an internal limit. The API states it as the `maxLength` of every name it takes.
MAX_INPUT = 1024

# The fast path. Order files can carry a million names and almost all of them are plain
# ASCII host names; for those, IDNA 2008 validation reduces to this LDH syntax (RFC 1035
# §2.3.1 as relaxed by RFC 1123 §2.1), so the idna library is skipped. Labels with "--"
# in positions 3-4 are excluded: RFC 5891 §4.2.3.1 reserves them ("xn--" A-labels must be
# decoded and checked; other such labels are refused), which only idna can decide. A last
# label that reads as a number goes to the slow path too, which refuses it (see
# `_NUMERIC_LABEL`). Anything not matched here is not refused by this: it takes the full
# path, which must give the same answer for everything this accepts.
_LDH_LABEL = r"(?![a-z0-9-]{2}--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST_NAME = re.compile(rf"(?:{_LDH_LABEL}\.)+(?![0-9]+\Z)(?!0x[0-9a-f]*\Z){_LDH_LABEL}")

# WHATWG URL parsing (what browsers do) reads a host whose last label is a decimal, octal
# or 0x-hex number as an IPv4 address ("1.2.3" and "0x7f.1" are addresses to a browser);
# no top-level domain is numeric, so such a "name" can only be a disguised address.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

# UTS #46 maps these to "." (full stop, ideographic, full-width and half-width ideographic
# full stops); idna splits on the same set.
_DOTS = re.compile("[.\u3002\uff0e\uff61]")

_IP_REASON = "an IP address; blocking a shared IP hits every bystander site on it"
_IP_ADVICE = "give the site's DNS name instead"


def normalize(text: str) -> str:
    """Return `text` as a DNS name in lowercase A-labels without trailing dot, or refuse it.

    Syntax only: says nothing about whether blocking the name is acceptable (see
    `check_target`). Raises `InvalidName` naming what is wrong and what to give instead.
    """
    name = text.strip()
    fast = _fast_normalize(name)
    if fast is not None:
        return fast
    return _slow_normalize(text, name)


def _fast_normalize(name: str) -> str | None:
    """The normalized form of an ordinary ASCII host name, or None to take the full path."""
    if not name.isascii():
        return None
    lowered = name.lower()
    if lowered.endswith("."):
        lowered = lowered[:-1]
    if len(lowered) > MAX_NAME_OCTETS or _FAST_NAME.fullmatch(lowered) is None:
        return None
    return lowered


def _slow_normalize(text: str, name: str) -> str:
    """Full path: classify what is not a name, then UTS #46 + IDNA 2008 for the rest."""
    if not name or name == ".":
        raise InvalidName(text, "an empty name; give the DNS name of the site to block")
    if any(c.isspace() for c in name):
        raise InvalidName(
            text,
            "contains whitespace; a DNS name has none — give one name per target, without spaces",
        )
    _refuse_non_names(text, name)
    if len(name) > MAX_INPUT:
        raise InvalidName(text, _name_too_long(f"{len(name)} characters"))

    # UTS #46 first, as a browser would: case folding, full-width forms, the ideographic
    # full stop. The labels are then checked for structure before idna is asked, so that
    # the reason can point at the label at fault.
    try:
        mapped = idna.uts46_remap(name, std3_rules=False)
    except idna.IDNAError as err:
        raise InvalidName(text, _idna_reason(err)) from None
    labels = _DOTS.split(mapped)
    if len(labels) > 1 and labels[-1] == "":
        del labels[-1]  # one trailing dot: the fully qualified spelling of the same name
    _check_structure(text, name, labels)

    try:
        encoded = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as err:
        raise InvalidName(text, _idna_failure(labels, err)) from None
    if encoded.endswith("."):
        encoded = encoded[:-1]
    # idna enforces RFC 1035 §2.3.4 too; checked again on the A-label form, which is what
    # goes on the wire, so that no idna version difference can let a long name through.
    if len(encoded) > MAX_NAME_OCTETS:
        raise InvalidName(text, _name_too_long(f"{len(encoded)} octets"))

    top = encoded.rpartition(".")[2]
    if _NUMERIC_LABEL.fullmatch(top):
        raise InvalidName(text, _numeric_reason(encoded, top))
    if "." not in encoded:
        # No example under a special-use name: "leak.onion" would be refused next.
        example = "" if trigger_problem(encoded) else f", e.g. 'leak.{encoded}'"
        raise InvalidName(
            text,
            f"a top-level name; {encoded!r} is not a site, and blocking it would hit every "
            f"name below it — give the site's full DNS name{example}",
        )
    return encoded


def _refuse_non_names(text: str, name: str) -> None:
    """Refuse the things people give for a name: addresses, URLs, wildcards."""
    if _ip_form(name) is not None:
        raise InvalidName(text, f"{_IP_REASON} — {_IP_ADVICE}")
    if "://" in name or "/" in name or ":" in name or name.startswith("["):
        raise InvalidName(text, _url_reason(name))
    if "*" in name:
        raise InvalidName(text, _wildcard_reason(name))


def _ip_form(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The address or network `text` spells (bare, "[v6]", or CIDR), if any."""
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return ipaddress.ip_network(candidate, strict=False)
    except ValueError:
        pass
    try:  # ip_network refuses a scoped IPv6 address ("fe80::1%eth0"); ip_address takes it
        return ipaddress.ip_network(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _url_reason(name: str) -> str:
    """Why a URL (or host:port, or path) is refused, with its host as the thing to give."""
    try:
        parts = urllib.parse.urlsplit(name if "://" in name else "//" + name)
        host = parts.hostname
        _ = parts.port  # raises ValueError when "host:port" has no real port
    except ValueError:
        host = None
    if not host:
        return (
            "a URL or path, not a DNS name; only DNS names can be blocked — give the "
            "site's host name"
        )
    if _ip_form(host) is not None:
        return (
            "a URL whose host is an IP address; blocking a shared IP hits every bystander "
            f"site on it — {_IP_ADVICE}"
        )
    problem = _suggestion_problem(host)
    if problem is not None:
        return (
            f"a URL; only DNS names can be blocked, and its host part {host!r} is not "
            f"blockable either: {problem}"
        )
    return (
        f"a URL; only DNS names can be blocked — give its host part {host!r} "
        "(scope subtree blocks the whole site)"
    )


def _wildcard_reason(name: str) -> str:
    rest = name[2:]
    if name.startswith("*.") and "*" not in rest:
        problem = _suggestion_problem(rest)
        if problem is not None:
            return (
                f"a wildcard, and what it stands under, {rest!r}, is not blockable either: "
                f"{problem}"
            )
        return (
            f"a wildcard; give {rest!r} with scope subtree (the default), which blocks it "
            "and every name below it"
        )
    return (
        "a wildcard; '*' is no part of a DNS name — list the names to block one by one, or "
        "give their common parent with scope subtree (the default) to block it and every "
        "name below it"
    )


def _suggestion_problem(text: str) -> str | None:
    """Why `text` would be refused as a target in its turn, so that no refusal suggests
    giving something that is refused next (or worse, a public suffix)."""
    try:
        name = normalize(text)
    except InvalidName as err:
        return err.reason
    if is_public_suffix(name):
        return _public_suffix_reason(name)
    return trigger_problem(name)


def _check_structure(text: str, name: str, labels: list[str]) -> None:
    """Refuse empty labels and over-long labels or names, pointing at the one at fault.

    `labels` are those of `name` after UTS #46 mapping, one trailing empty label removed.
    """
    if labels == [""]:
        raise InvalidName(text, "an empty name; give the DNS name of the site to block")
    if labels[0] == "" and all(labels[1:]) and _DOTS.match(name):
        # ".example.com" is the cookie / proxy-ACL spelling of "example.com and below".
        rest = ".".join(labels[1:])
        raise InvalidName(
            text,
            f"starts with a dot (an empty label); give {rest!r} — scope subtree (the "
            "default) already blocks every name below it",
        )
    typed = _DOTS.split(name)
    for i, label in enumerate(labels, start=1):
        if not label:
            # UTS #46 deletes some invisible characters (soft hyphen, zero-width space,
            # variation selectors, BOM), so a label can be empty without two dots in a row.
            cause, fix = (
                ("two dots in a row", "remove the extra dot")
                if len(typed) < i or not typed[i - 1]
                else ("only characters that UTS #46 deletes, e.g. a soft hyphen", "retype it")
            )
            raise InvalidName(
                text,
                f"an empty label (label {i} of {len(labels)}: {cause}); a DNS name has no "
                f"empty labels — {fix}",
            )
    total = len(labels) - 1  # the dots
    for label in labels:
        octets = _alabel_octets(label)
        total += octets
        if octets > MAX_LABEL_OCTETS:
            shown = "" if label.isascii() else " as an A-label"
            raise InvalidName(
                text,
                f"label {label!r} is {octets} octets long{shown}; a DNS label holds at most "
                f"{MAX_LABEL_OCTETS} (RFC 1035 §2.3.4) — check for a missing dot or a "
                "pasted text that is not a name",
            )
    if total > MAX_NAME_OCTETS:
        raise InvalidName(text, _name_too_long(f"{total} octets"))


def _alabel_octets(label: str) -> int:
    """Length of `label` on the wire (RFC 5891 §4.4: "xn--" + Punycode if not ASCII)."""
    if label.isascii():
        return len(label)
    return 4 + len(label.encode("punycode"))


def _name_too_long(size: str) -> str:
    return (
        f"{size} long; a DNS name holds at most {MAX_NAME_OCTETS} octets in A-labels "
        "without the trailing dot (RFC 1035 §2.3.4) — check that several names were not "
        "run together"
    )


def _numeric_reason(encoded: str, top: str) -> str:
    if _ip_form(encoded) is not None:
        return f"{_IP_REASON} — {_IP_ADVICE}"
    return (
        f"{_IP_REASON} (its last label {top!r} is a number: no top-level domain is, and "
        f"browsers read such a name as an IPv4 address) — {_IP_ADVICE}"
    )


def _idna_failure(labels: list[str], err: idna.IDNAError) -> str:
    """idna's reason, naming the label it is about when that can be found."""
    for label in labels:
        try:
            idna.alabel(label)
        except idna.IDNAError as label_err:
            return _idna_reason(label_err, label)
    return _idna_reason(err)


def _idna_reason(err: idna.IDNAError, label: str | None = None) -> str:
    where = f"label {label!r}: " if label is not None and label not in str(err) else ""
    return (
        f"not a valid DNS name (IDNA 2008, RFC 5891): {where}{err} — a DNS name is "
        "letters, digits and hyphens (or Unicode letters) in dot-separated labels; "
        "check for a typo or a stray character"
    )


# --- Public Suffix List --------------------------------------------------------------

# Loaded on first use from the snapshot shipped inside publicsuffixlist: no network, and
# the same answers for the life of the process. accept_unknown=False is essential: the
# library's default treats every TLD it does not know as a public suffix, which would make
# every name under an unknown TLD ("leak.example") look public, too.
#
# The library derives the A-label form of each of its ten thousand rules through Python's
# IDNA codec, most of the time a command pays on its first name check (0.1 s). The A-label
# form of an ASCII rule is the rule itself, so only the few hundred others need it, and
# those forms can only match a name with an "xn--" label: an ASCII name without one, as
# nearly every target is, is looked up in a list read without them (about 0.03 s).
_psl: dict[bool, PublicSuffixList] = {}
_psl_lock = threading.Lock()


def psl_rules(snapshot: bytes, a_labels: bool = True) -> list[bytes]:
    """The lines of a Public Suffix List, each rule that is not ASCII followed by its
    A-label form when `a_labels`: parsed with `accept_encoded_idn=False`, the very rules
    the library derives with `accept_encoded_idn=True` (its default).

    Each rule is read the way the library reads it: lowercased, up to the first space,
    comments and blank lines skipped, "!" kept in front of an exception.
    """
    lines = snapshot.splitlines()
    for line in [line for line in lines if a_labels and not line.isascii()]:
        rule = line.decode(publicsuffixlist.ENCODING, publicsuffixlist.ERRORMODE)
        rule = rule.lower().split(" ")[0].rstrip()
        if rule == "" or rule.startswith("//"):
            continue
        encoded = publicsuffixlist.encode_idn(rule.lstrip("!"))
        lines.append(("!" + encoded if rule[0] == "!" else encoded).encode("ascii"))
    return lines


def load_public_suffix_list(a_labels: bool = True) -> PublicSuffixList:
    """The shipped Public Suffix List, read as `PublicSuffixList(accept_unknown=False)`
    reads it; without the A-label forms of its IDN rules unless `a_labels`
    (tests/unit/domain compares them with the library's own)."""
    with open(publicsuffixlist.PSLFILE, "rb") as snapshot:
        rules = psl_rules(snapshot.read(), a_labels)
    return PublicSuffixList(rules, accept_unknown=False, accept_encoded_idn=False)


def _public_suffix_list(name: str = "xn--") -> PublicSuffixList:
    """The list to look `name` up in: the one without A-label rules when none can match."""
    a_labels = not name.isascii() or "xn--" in name.lower()
    found = _psl.get(a_labels)
    if found is None:
        with _psl_lock:
            found = _psl.get(a_labels)
            if found is None:
                found = _psl[a_labels] = load_public_suffix_list(a_labels)
    return found


def is_public_suffix(name: str) -> bool:
    """Whether `name` is itself a public suffix (ICANN or PRIVATE section, wildcards too).

    A public suffix is a name under which unrelated parties register their own sites
    ("co.uk", "github.io"); blocking one blocks all of them.
    """
    return bool(_public_suffix_list(name).is_public(name))


class _SuffixRules:
    """The Public Suffix List's rules as three sets, answering `is_public_suffix` for a
    normalized name with at most five set lookups instead of the library's walk over
    every suffix of the name (a third of the cost of checking a plain name).

    The PSL algorithm (https://github.com/publicsuffix/list/wiki/Format) makes a name of
    n labels public when the longest matching rule spans exactly n labels: the name is a
    rule itself or has a wildcard rule (`*.name`; "*.ck" makes "ck" a suffix too), or its
    parent has a wildcard rule (`*.parent` covers it) — unless an exception rule
    (`!name`) takes it out. A rule matching a shorter suffix spans fewer labels. The
    property test checks this against the library for every rule and names around them.
    """

    def __init__(self, rules: AbstractSet[str]) -> None:
        self.exact = frozenset(r for r in rules if not r.startswith(("!", "*.")))
        self.wild = frozenset(r[2:] for r in rules if r.startswith("*."))
        self.exceptions = frozenset(r[1:] for r in rules if r.startswith("!"))

    def is_public(self, name: str) -> bool:
        if name in self.exceptions:
            return False
        if name in self.exact or name in self.wild:
            return True
        parent = name.partition(".")[2]
        return parent in self.wild and parent not in self.exceptions


_rules: _SuffixRules | None = None


def _suffix_rules() -> _SuffixRules:
    """The rules `check_targets`'s fast path looks names up in: the shipped list's rules
    as the library parses them, without the A-label forms of its IDN rules.

    Those forms are the only rules with an "xn--" label, and the fast path never takes a
    name with one (`_FAST_NAME` sends every label with "--" in positions 3-4 the full
    way), so they could never match. Leaving them out spares the IDNA codec on a few
    hundred rules, and the library's own parse, at every command that checks a name."""
    global _rules
    if _rules is None:
        with _psl_lock:
            if _rules is None:
                with open(publicsuffixlist.PSLFILE, "rb") as snapshot:
                    _rules = _SuffixRules(parse_psl_rules(snapshot.read()))
    return _rules


def parse_psl_rules(snapshot: bytes) -> frozenset[str]:
    """The rules of a Public Suffix List as `PublicSuffixList(..., accept_encoded_idn=False)`
    keeps them: each line lowercased, up to its first space, comments and blank lines
    skipped, "!" and "*." kept in front of exceptions and wildcards."""
    rules = set()
    for line in snapshot.splitlines():
        rule = line.decode(publicsuffixlist.ENCODING, publicsuffixlist.ERRORMODE)
        rule = rule.lower().split(" ")[0].rstrip()
        if rule and not rule.startswith("//"):
            rules.add(rule)
    return frozenset(rules)


def _public_suffix_reason(name: str) -> str:
    return (
        "a public suffix (Public Suffix List); blocking it would block every site "
        f"registered under it — give the site's own name, e.g. 'leak.{name}'"
    )


# --- Allow-list and subtree relations ------------------------------------------------


def is_under(name: str, parent: str) -> bool:
    """Whether `name` equals `parent` or lies below it, on label boundaries."""
    return name == parent or name.endswith("." + parent)


def covering_entry(name: str, entries: AbstractSet[str]) -> str | None:
    """The entry of `entries` that is `name` or an ancestor of it, nearest first, or None.

    Walks the name's own suffixes (one set lookup per label) rather than the set, so the
    cost does not grow with the allow-list. Only whole labels are suffixes:
    "evilexample.com" is not under "example.com".
    """
    if name in entries:
        return name
    dot = name.find(".")
    while dot != -1:
        suffix = name[dot + 1 :]
        if suffix in entries:
            return suffix
        dot = name.find(".", dot + 1)
    return None


# --- Targets -------------------------------------------------------------------------


#: The feed's own names, as `(normalized name, what it is)`: refused with their subtree.
Reserved = Sequence[tuple[str, str]]


def check_target(
    text: str, allowed: AbstractSet[str] = frozenset(), reserved: Reserved = ()
) -> str:
    """Normalize `text` and refuse it if blocking it would hit bystanders or could not be
    a plain QNAME trigger in the feed; the A-label form.

    `allowed` holds normalized allow-list entries; a target equal to or below one is
    refused. `reserved` names the feed's own names (its origin, the notice host).
    """
    name = check_feed_name(text, reserved)
    above = covered_reserved(name, reserved)
    if above is not None:
        raise InvalidName(text, above)
    if allowed:
        entry = covering_entry(name, allowed)
        if entry is not None:
            raise InvalidName(
                text,
                f"on the allow-list (entry {entry!r}); allow-listed names are never "
                "blocked, nor the names below them — remove it from the targets",
            )
    return name


def check_feed_name(text: str, reserved: Reserved = ()) -> str:
    """Normalize `text` and refuse it unless it can stand in a feed as the name of a site:
    what targets and allow-list entries have in common. The A-label form."""
    name = normalize(text)
    if is_public_suffix(name):
        raise InvalidName(text, _public_suffix_reason(name))
    problem = reserved_problem(name, reserved) or trigger_problem(name)
    if problem is not None:
        raise InvalidName(text, problem)
    return name


#: How many names are checked so far (`arret.progress.Counted`, which the pure core does
#: not import).
Counted = Callable[[int], None]


def _uncounted(done: int) -> None:
    """Nobody follows the check."""


def check_targets(
    texts: Iterable[str],
    allowed: AbstractSet[str] = frozenset(),
    reserved: Reserved = (),
    counted: Counted = _uncounted,
    batch: int = 20_000,
) -> list[str]:
    """Check every target; the normalized names in input order, or `InvalidTargets`.

    All bad targets are reported at once, so that a large order file is fixed in one
    round. A name given twice (after normalization) is a bad target: an order file that
    repeats a name is likely not the one the court signed, and it is for a person to say.

    The names are checked `batch` at a time (`arret.progress.BATCH`), `counted` told
    after each batch how many are checked so far: a million names take seconds, and a
    person watching sees them go.
    """
    if not isinstance(texts, list | tuple):
        texts = list(texts)
    names: list[str] = []
    seen: set[str] = set()
    start = 0
    # Batch after batch through the fast path, until one might not pass it (none does,
    # in an order file of plain names); the rest, from that batch on, name by name.
    while start < len(texts):
        part = texts[start : start + batch]
        fast = _all_fast(part, allowed, reserved, seen)
        if fast is None:
            break
        names += fast
        start += len(part)
        counted(start)
    if start == len(texts):
        return names
    problems: list[InvalidName] = []
    # The names of the batches already checked, each with the text that gave it.
    first_given: dict[str, str] = dict(zip(names, texts[:start], strict=True))
    fast_check = _fast_checker(allowed, reserved)
    for begin in range(start, len(texts), batch):
        for text in texts[begin : begin + batch]:
            name = fast_check(text)
            if name is None:
                try:
                    name = check_target(text, allowed, reserved)
                except InvalidName as err:
                    problems.append(err)
                    continue
            earlier = first_given.get(name)
            if earlier is not None:
                problems.append(
                    InvalidName(text, f"given twice (as {earlier!r}); give each name once")
                )
                continue
            first_given[name] = text
            names.append(name)
        counted(min(begin + batch, len(texts)))
    if problems:
        raise InvalidTargets(problems)
    return names


#: Above this many allow-list entries, each is not looked for in the whole text.
_ALLOWED_SCANNED = 64


def _all_fast(
    texts: Sequence[str], allowed: AbstractSet[str], reserved: Reserved, seen: set[str]
) -> list[str] | None:
    """`check_targets` for a list of names that all pass `_fast_checker`, none twice and
    none in `seen` (the names of the batches before, which all passed), its tests run on
    the whole list at once: one lowercasing, set operations for the suffix rules and the
    repeats, substring searches for the reserved and allowed names. None as soon as any
    name might not pass them (the caller then checks name by name, and reports).

    The names are added to `seen`, and the set tests are made on all of it: one set of
    the names of every batch (as many inserts as one set of the whole list), its
    intersections with the small sets of rules costing the size of those."""
    if not texts:
        return None
    text = "\n".join(texts)
    if not text.isascii() or text.count("\n") != len(texts) - 1:
        return None
    lowered = text.lower()
    if RPZ_PREFIX in lowered:
        return None
    names = lowered.split("\n")
    # Stripping and a final dot are left to the name-by-name path.
    if max(map(len, names)) > MAX_NAME_OCTETS or not all(map(_FAST_NAME.fullmatch, names)):
        return None
    before = len(seen)
    seen.update(names)
    if len(seen) - before != len(names):
        return None
    if {n.rpartition(".")[2] for n in names} & SPECIAL_USE:
        return None
    rules = _suffix_rules()
    if ((seen & rules.exact) | (seen & rules.wild)) - rules.exceptions:
        return None
    parents = {n.partition(".")[2] for n in names} & rules.wild
    if parents - rules.exceptions:
        return None  # a name below a wildcard rule: some may be public suffixes
    owns = [own for own, _ in reserved]
    ends = "\n" + lowered + "\n"
    hit = set(owns) | {own.split(".", i)[i] for own in owns for i in range(1, own.count(".") + 1)}
    if seen & hit or any(f".{own}\n" in ends for own in owns):
        return None
    if allowed:
        if len(allowed) > _ALLOWED_SCANNED or seen & allowed:
            return None
        if any(f".{entry}\n" in ends for entry in allowed):
            return None
    return names


def _fast_checker(allowed: AbstractSet[str], reserved: Reserved) -> Callable[[str], str | None]:
    """`check_target` for the names it accepts on its fast path, else None (then
    `check_target` itself gives the answer, or the reasons). Each test below is one of
    `check_target`'s, in a cheaper form for the common case of a plain ASCII name: the
    same normalization fast path, the suffix rules as sets, and the trigger rules (a
    name holding "rpz-" anywhere goes the full way). `tests/unit/domain/test_names_fast.py`
    checks that both give the same results and the same errors."""
    rules = _suffix_rules()
    exact, wild, exceptions = rules.exact, rules.wild, rules.exceptions
    fullmatch = _FAST_NAME.fullmatch
    special = SPECIAL_USE
    # `reserved_problem` and `covered_reserved` as one set and one suffix test: a name
    # that is, or lies below, a reserved name, or that a reserved name lies below.
    owns = [own for own, _ in reserved]
    below = tuple(f".{own}" for own in owns)
    hit = set(owns) | {own.split(".", i)[i] for own in owns for i in range(1, own.count(".") + 1)}

    def check(text: str) -> str | None:
        name = text.strip()
        if not name.isascii():
            return None
        name = name.lower()
        if name.endswith("."):
            name = name[:-1]
        if len(name) > MAX_NAME_OCTETS or fullmatch(name) is None or RPZ_PREFIX in name:
            return None
        if name.rpartition(".")[2] in special:
            return None
        # `_SuffixRules.is_public`, inlined: this runs once per name of an order.
        if name in exceptions:
            pass
        elif name in exact or name in wild:
            return None
        else:
            parent = name.partition(".")[2]
            if parent in wild and parent not in exceptions:
                return None
        if below and (name in hit or name.endswith(below)):
            return None
        if allowed and covering_entry(name, allowed) is not None:
            return None
        return name

    return check


def to_unicode(name: str) -> str:
    """`name` (A-labels) in Unicode for display; `name` itself if it cannot be decoded."""
    try:
        return idna.decode(name)
    except UnicodeError:  # idna.IDNAError and codec errors alike
        return name
