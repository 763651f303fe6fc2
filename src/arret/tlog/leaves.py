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
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


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
