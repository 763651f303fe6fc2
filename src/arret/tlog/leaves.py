"""What the transparency log records, as canonical bytes (issue 6, items 1 and 4).

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
from collections.abc import Callable
from typing import Any

from arret.domain.events import Event, OrderAmended, OrderRegistered, to_payload
from arret.tlog.merkle import leaf_hash


def _check(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a string")
            _check(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {type(value).__name__} has no canonical form in a leaf")


def canonical(record: dict[str, Any]) -> bytes:
    _check(record, "leaf")
    return _dumps(record).encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


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
    return False, []


def event_record(
    seq: int, event: Event, confidential: bool, salt_of: Callable[[str], bytes]
) -> dict[str, Any]:
    """The leaf of one event. `confidential`: the event belongs to a confidential order,
    whose names are committed to with `salt_of(name)` instead of written."""
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
    if len(canonical(record)) <= max_leaf:
        return [record]
    payload = dict(record["event"])
    items = [(f, item) for f in NAME_FIELDS for item in payload.get(f) or []]
    budget = max_leaf - _ENVELOPE
    parts: list[dict[str, Any]] = []
    current: dict[str, list[Any]] = {}
    used = 0
    for name_field, item in items:
        # The item's canonical octets and a comma (the record was checked as a whole).
        cost = len(_dumps(item).encode("utf-8")) + 1
        if current and used + cost > budget:
            parts.append(current)
            current, used = {}, 0
        current.setdefault(name_field, []).append(item)
        used += cost
    if current:
        parts.append(current)
    seq = record["seq"]
    leaves = [{"type": "names", "seq": seq, "part": n + 1} | p for n, p in enumerate(parts)]
    for name_field in NAME_FIELDS:
        if name_field in payload:
            payload[name_field] = []
    head = dict(record) | {
        "event": payload,
        "names": {
            "count": len(items),
            "leaves": len(leaves),
            "digest": parts_digest([leaf_hash(canonical(leaf)) for leaf in leaves]),
        },
    }
    return [head, *leaves]


def joined_record(head: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The event leaf `head` with the names of its names leaves `parts` put back (the
    record `split_record` split)."""
    payload = dict(head["event"])
    for part in parts:
        for name_field in NAME_FIELDS:
            if name_field in part:
                payload[name_field] = [*payload.get(name_field, []), *part[name_field]]
    return {k: v for k, v in head.items() if k != "names"} | {"event": payload}
