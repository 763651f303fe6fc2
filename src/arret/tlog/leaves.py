"""What the transparency log records, as canonical bytes.

A leaf is canonical JSON: UTF-8, keys sorted, no insignificant space, and only strings,
integers, booleans, null, lists and objects (no floats, whose text form is not unique),
so that anyone re-encoding the same record gets the same bytes, hence the same leaf hash.

Names of a confidential order never enter a leaf: each is replaced by a commitment,
SHA-256(salt ‖ name) in hex, with a salt per name kept by the registry for auditors. The
public can count the names and, shown a name and its salt later, check it was (or was
not) ordered; nobody can read the names from the log.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate, chain, repeat
from operator import add, itemgetter
from typing import Any

from arret.domain.events import (
    DocumentAttached,
    Event,
    OrderAmended,
    OrderRegistered,
    to_payload,
)
from arret.tlog.merkle import leaf_hash


def _check(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not _plain(item):
                _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a string")
            if not _plain(item):
                _check(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {type(value).__name__} has no canonical form in a leaf")


#: Exactly these types (not subclasses, which `_check` looks at closely) need no check.
_SCALARS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether `value` is a scalar, or an object of scalars under string keys (a target
    of an order: a million of them in a large order's leaf), so certainly canonical —
    by exact type tests, the fast path of `_check`; anything else is left to it."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is not dict:
        return False
    scalars = _SCALARS
    for key, item in value.items():
        if type(key) is not str or type(item) not in scalars:
            return False
    return True


def canonical(record: dict[str, Any]) -> bytes:
    _check(record, "leaf")
    return _dumps(record).encode("utf-8")


#: `json.dumps` with these arguments builds an encoder at every call: one, built once.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def commitment(salt: bytes, name: str) -> str:
    return hashlib.sha256(salt + name.encode("utf-8")).hexdigest()


def committed_names(
    event: Event, order_confidential: Callable[[int], bool]
) -> tuple[bool, list[str]]:
    """Whether `event` belongs to a confidential order, and the names its leaf commits to
    rather than writes. `order_confidential(order_id)` answers for an amended order."""
    if isinstance(event, OrderRegistered):
        return event.terms.confidential, [t.name for t in event.targets]
    if isinstance(event, OrderAmended):
        return order_confidential(event.order_id), [t.name for t in event.added] + list(
            event.removed
        )
    if isinstance(event, DocumentAttached):
        return order_confidential(event.order_id), [event.target] if event.target else []
    return False, []


def event_record(
    seq: int,
    event: Event,
    confidential: bool,
    salt_of: Callable[[str], bytes],
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The leaf of one event. `confidential`: the event belongs to a confidential order,
    whose names are committed to with `salt_of(name)` instead of written. `payload`:
    `to_payload(event)` when the caller has it (a million targets: built once); it is
    left as it is (a confidential order's leaf is built from a payload of its own)."""
    if payload is None or confidential:
        payload = to_payload(event)
    if confidential and isinstance(event, OrderRegistered | OrderAmended):
        for field in ("targets", "added"):
            for target in payload.get(field, []):
                target["name"] = {"commitment": commitment(salt_of(target["name"]),
                                                           target["name"])}  # fmt: skip
        if "removed" in payload:
            payload["removed"] = [
                {"commitment": commitment(salt_of(n), n)} for n in payload["removed"]
            ]
    if confidential and isinstance(event, DocumentAttached):
        # The document's digest is public (anyone shown the file can check it); its
        # target is committed to like the order's names, and its file name, free text
        # that may well spell the site, is left out.
        if event.target:
            payload["target"] = {"commitment": commitment(salt_of(event.target), event.target)}
        payload["filename"] = None
    return {"type": "event", "seq": seq, "event": payload}


def feed_record(operator: str, serial: int, entries: int, digest: str) -> dict[str, Any]:
    """The leaf of one published feed serial: how many entries the zone holds and the
    digest of its content (`arret.tlog.multiset`, salted per operator)."""
    return {
        "type": "feed",
        "operator": operator,
        "serial": serial,
        "entries": entries,
        "policy_digest": digest,
    }


# --- A large event's names, over bounded leaves ---

#: The most octets of a leaf's canonical JSON that holds an event's names: an event whose
#: leaf would be larger has its names moved to names leaves of at most this size (the
#: length of an entry in a C2SP tlog-tiles entry bundle is a 16-bit number).
MAX_LEAF = 65_535
#: Room left in a names leaf for its keys around the list of names.
_ENVELOPE = 200
#: The fields of an event's payload that list names, in the order they are split.
NAME_FIELDS = ("targets", "added", "removed")


def parts_digest(hashes: list[bytes]) -> str:
    """What an event leaf records of its names leaves: SHA-256 of their leaf hashes, in
    order."""
    return hashlib.sha256(b"".join(hashes)).hexdigest()


def split_record(record: dict[str, Any], max_leaf: int = MAX_LEAF) -> list[dict[str, Any]]:
    """The leaves of an event leaf `record`: itself when its canonical form is at most
    `max_leaf` octets; else the event leaf with its lists of names emptied and a `names`
    object, {"count", "leaves", "digest"}, followed by that many names leaves of at most
    `max_leaf` octets each, {"type": "names", "seq", "part" (from 1), and the slices of
    the lists}. Concatenating the names leaves' lists gives the event's lists back; the
    digest (`parts_digest` of the names leaves' hashes) binds them to the event leaf."""
    return [leaf for leaf, _ in split_encoded(record, max_leaf)]


def name_texts(payload: dict[str, Any]) -> list[str] | None:
    """The canonical text of each item of an event payload's lists of names, in order
    (`split_encoded` takes them); None when they are not all plain (`_texts`)."""
    return _texts([(f, payload[f]) for f in NAME_FIELDS if payload.get(f)])


def payload_text(payload: dict[str, Any], texts: list[str]) -> str:
    """`payload` as canonical JSON, its lists of names written from their items' texts
    (`name_texts`): no second encoding of a million targets."""
    present = [f for f in NAME_FIELDS if payload.get(f)]
    text = _dumps(payload | {f: [] for f in present})
    offset = 0
    for field in present:
        count = len(payload[field])
        joined = ",".join(texts[offset : offset + count])
        # An unescaped quote cannot occur inside a JSON string: this is the key itself.
        text = text.replace(f'"{field}":[]', f'"{field}":[{joined}]', 1)
        offset += count
    return text


def split_encoded(
    record: dict[str, Any], max_leaf: int = MAX_LEAF, texts: list[str] | None = None
) -> list[tuple[dict[str, Any], bytes]]:
    """`split_record`, each leaf with its canonical octets (`canonical`), each leaf
    encoded once: a million names are checked once and encoded a few times by the JSON
    encoder's C code, not one `json.dumps` each. `texts`: `name_texts` of the record's
    payload, when the caller has them."""
    payload = dict(record["event"])
    fields = [(f, payload[f]) for f in NAME_FIELDS if payload.get(f)]
    count = sum(len(values) for _, values in fields)
    if texts is None and 2 * count > max_leaf:
        texts = _texts(fields)
    if texts is None:
        _check(record, "leaf")
    else:  # the lists are checked by `_texts`; the rest of the record here
        _check(record | {"event": payload | {f: [] for f, _ in fields}}, "leaf")
    # Each name costs at least two octets (its text and a comma): no need to encode a
    # record that cannot fit.
    if 2 * count <= max_leaf:
        data = _dumps(record).encode("utf-8")
        if len(data) <= max_leaf:
            return [(record, data)]
    flat = [item for _, values in fields for item in values]
    budget = max_leaf - _ENVELOPE
    bounds = _bounds(flat, budget) if texts is None else _text_bounds(texts, budget)
    seq = record["seq"]
    leaves: list[tuple[dict[str, Any], bytes]] = []
    for part, (start, end) in enumerate(bounds, start=1):
        leaf: dict[str, Any] = {"type": "names", "seq": seq, "part": part}
        offset = 0
        for name_field, values in fields:  # the slices of each list in [start, end)
            first, last = max(start, offset), min(end, offset + len(values))
            if first < last:
                leaf[name_field] = values[first - offset : last - offset]
            offset += len(values)
        # The record was checked whole: its parts need no second check.
        if texts is None:
            leaf_text = _dumps(leaf)
        else:  # the leaf with empty lists, each filled with its items' texts
            leaf_text = _dumps({k: [] if k in NAME_FIELDS else v for k, v in leaf.items()})
            offset = 0
            for name_field, values in fields:
                first, last = max(start, offset), min(end, offset + len(values))
                if first < last:
                    joined = ",".join(texts[first:last])
                    empty, full = f'"{name_field}":[]', f'"{name_field}":[{joined}]'
                    leaf_text = leaf_text.replace(empty, full, 1)
                offset += len(values)
        leaves.append((leaf, leaf_text.encode("utf-8")))
    for name_field in NAME_FIELDS:
        if name_field in payload:
            payload[name_field] = []
    head = dict(record) | {
        "event": payload,
        "names": {
            "count": count,
            "leaves": len(leaves),
            "digest": parts_digest([leaf_hash(data) for _, data in leaves]),
        },
    }
    return [(head, canonical(head)), *leaves]


#: A column of a list of targets with at most this many distinct values (scopes,
#: actions) is encoded one value at a time.
_FEW = 64


def _verbatim(strings: list[str]) -> bool:
    """Whether each string's canonical form is itself in quotes (nothing escaped): one
    encoder call for the whole list."""
    return _dumps(strings) == '["' + '","'.join(strings) + '"]'


def _column(values: list[Any]) -> tuple[list[str] | str, bool] | None:
    """The canonical texts of a column of values (`True`: the texts lack their quotes),
    or the one text of them all; None unless they are all strings encoded as themselves,
    or few strings and nulls."""
    kinds = set(map(type, values))
    if not kinds <= {str, type(None)}:
        return None
    # Few distinct values in the first items: likely few in all (scopes, actions).
    if len(set(values[:_FEW])) < _FEW:
        distinct = set(values)
        if len(distinct) <= _FEW:
            table = {v: _dumps(v) for v in distinct}
            if len(table) == 1:
                return table.popitem()[1], False
            return list(map(table.__getitem__, values)), False
    if kinds == {str} and _verbatim(values):
        return values, True
    return None


def _texts(fields: list[tuple[str, list[Any]]]) -> list[str] | None:
    """The canonical text of every item of the lists of names, in order, worked out a
    column at a time (a million targets: no encoder call, no check, per item); each is
    checked as `_check` would. None unless every list holds only plain strings, or only
    objects with the same keys whose values are plain strings or few distinct strings
    and nulls (the targets of an order not confidential), and all of it is ASCII (its
    length is its octets)."""
    found: list[str] = []
    for _, values in fields:
        kinds = set(map(type, values))
        if kinds == {str}:
            if not _verbatim(values):
                return None
            found += ['"' + v + '"' for v in values]
            continue
        if kinds != {dict}:
            return None
        keys = set(chain.from_iterable(values))
        if set(map(len, values)) != {len(keys)} or not all(type(k) is str for k in keys):
            return None
        ordered = sorted(keys)
        if not _verbatim(ordered):
            return None
        # Each item's text is constants[0] + column 0 + constants[1] + ... + "}".
        constants, columns = [], []
        after = "{"
        for key in ordered:
            column = _column(list(map(itemgetter(key), values)))
            if column is None:
                return None
            texts, bare = column
            quote = '"' if bare else ""
            if isinstance(texts, str):  # the same value in every item: in the constants
                after += f'"{key}":{texts},'
                continue
            constants.append(f'{after}"{key}":{quote}'.replace("%", "%%"))
            columns.append(texts)
            after = f"{quote},"
        constants.append((after[:-1] + "}").replace("%", "%%"))
        form = "%s".join(constants)
        if not columns:  # every item the same
            found += [form % ()] * len(values)
        elif len(columns) == 1:
            found += map(form.__mod__, columns[0])
        else:
            found += map(form.__mod__, zip(*columns, strict=True))
    if not "".join(found).isascii():
        return None
    return found


def _text_bounds(texts: list[str], budget: int) -> list[tuple[int, int]]:
    """`_bounds` from the items' texts: each costs its length and a comma."""
    ends = list(accumulate(map(add, map(len, texts), repeat(1))))
    bounds = []
    start, used = 0, 0
    while start < len(texts):
        end = max(start + 1, bisect_right(ends, used + budget))
        bounds.append((start, end))
        start, used = end, ends[end - 1]
    return bounds


def _octets(items: list[Any]) -> int:
    """The octets `items` take in a leaf's list: each one's canonical form and a comma."""
    text = _dumps(items)  # "[" + the items joined by commas + "]"
    return (len(text) if text.isascii() else len(text.encode("utf-8"))) - 1


def _bounds(items: list[Any], budget: int) -> list[tuple[int, int]]:
    """[start, end) of each names leaf: every leaf takes the items that follow while their
    octets fit in `budget`, and at least one. Equal to adding them one at a time, but
    costed a run at a time (one encoder call for a run of hundreds of names): a run that
    fits is taken whole, one that does not is halved until one item is left."""
    bounds = []
    start, n = 0, len(items)
    while start < n:
        end = start + 1
        used = _octets(items[start:end])
        full = False
        while end < n and not full:
            average = used / (end - start)
            run = max(1, min(n - end, int((budget - used) / average * 0.9)))
            while True:
                cost = _octets(items[end : end + run])
                if used + cost <= budget:
                    used += cost
                    end += run
                    break
                if run == 1:
                    full = True  # the next item does not fit
                    break
                run //= 2
        bounds.append((start, end))
        start = end
    return bounds


def joined_record(head: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The event leaf `head` with the names of its names leaves `parts` put back (the
    record `split_record` split)."""
    payload = dict(head["event"])
    for part in parts:
        for name_field in NAME_FIELDS:
            if name_field in part:
                payload[name_field] = [*payload.get(name_field, []), *part[name_field]]
    return {k: v for k, v in head.items() if k != "names"} | {"event": payload}
