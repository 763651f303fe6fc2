"""The immutable history of the registry.

Each event carries `at`, the instant from which it takes effect in the registry's
history, and its `actor`. The state of an order at any instant is the fold of its
events with `at` up to that instant (`arret.domain.lifecycle.apply`), and events of one
order never go back in time, so folding them in the order they were recorded is the
same as folding them in time order.

`to_payload`/`from_payload` give each event one canonical JSON shape: it is what the
store keeps and what the transparency log will hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arret.domain.instants import format_instant, parse_instant
from arret.domain.model import ACTION_VALUES, SCOPE_VALUES, Action, OrderTerms, Scope, TargetSpec


@dataclass(frozen=True)
class OrderRegistered:
    order_id: int
    at: datetime
    actor: str
    terms: OrderTerms
    targets: tuple[TargetSpec, ...]


@dataclass(frozen=True)
class OrderAmended:
    """Mirror sites added, targets removed, and/or the expiry moved, at one instant."""

    order_id: int
    at: datetime
    actor: str
    added: tuple[TargetSpec, ...] = ()
    removed: tuple[str, ...] = ()
    expires_at: datetime | None = None


@dataclass(frozen=True)
class OrderLifted:
    order_id: int
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class OperatorAdded:
    name: str
    at: datetime
    actor: str
    notify: tuple[str, ...] = ()
    probe: tuple[str, ...] = ()
    allow_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperatorChanged:
    """An operator's resolvers or source networks replaced (each list as a whole)."""

    name: str
    at: datetime
    actor: str
    notify: tuple[str, ...]
    probe: tuple[str, ...]
    allow_from: tuple[str, ...]


@dataclass(frozen=True)
class KeyRotated:
    """An operator's TSIG key was created or replaced. The secret is never in an event:
    events are public (the transparency log); only the key's name and dates are."""

    operator: str
    at: datetime
    actor: str
    key_name: str
    #: The previous key, and the instant until which it is still accepted.
    previous: str | None = None
    previous_until: datetime | None = None


@dataclass(frozen=True)
class NameAllowed:
    name: str
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class AllowEntryRemoved:
    """A name taken off the allow-list: from `at`, the orders that name it (or a parent of
    it) block it again."""

    name: str
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class DocumentAttached:
    """A document attached to an order: its decision, or evidence about one of its targets
    (what the site showed, when and by whom). The event records the document's SHA-256,
    so that the transparency log vouches for the content; the content itself is kept
    apart (`arret.store.documents`). It changes nothing that is blocked."""

    order_id: int
    at: datetime
    actor: str
    kind: str
    sha256: str
    size: int
    media_type: str
    filename: str
    #: The target the evidence is about (None for a decision).
    target: str | None = None
    #: When the evidence was captured, and by whom (as stated by who attached it).
    captured_at: datetime | None = None
    captured_by: str | None = None


OrderEvent = OrderRegistered | OrderAmended | OrderLifted
AllowEvent = NameAllowed | AllowEntryRemoved
Event = OrderEvent | OperatorAdded | OperatorChanged | AllowEvent | KeyRotated | DocumentAttached

KIND: dict[type[Any], str] = {
    OrderRegistered: "order.registered",
    OrderAmended: "order.amended",
    OrderLifted: "order.lifted",
    OperatorAdded: "operator.added",
    NameAllowed: "allow.added",
    AllowEntryRemoved: "allow.removed",
    KeyRotated: "operator.key",
    OperatorChanged: "operator.changed",
    DocumentAttached: "order.document",
}


def kind_of(event: Event) -> str:
    return KIND[type(event)]


def _targets_payload(targets: Iterable[TargetSpec]) -> list[dict[str, Any]]:
    """Each target as the payload holds it (inlined: a call less for each of a million)."""
    scopes, actions = SCOPE_VALUES, ACTION_VALUES
    return [
        {
            "name": t.name,
            "scope": scopes[t.scope],
            "action": actions[t.action] if t.action else None,
        }
        for t in targets
    ]


def _target_from(d: dict[str, Any]) -> TargetSpec:
    return TargetSpec(d["name"], Scope(d["scope"]), Action(d["action"]) if d["action"] else None)


def to_payload(event: Event) -> dict[str, Any]:
    """The canonical JSON-ready form of an event (keys sorted when serialised)."""
    base: dict[str, Any] = {
        "kind": kind_of(event),
        "at": format_instant(event.at),
        "actor": event.actor,
    }
    match event:
        case OrderRegistered(order_id=oid, terms=terms, targets=targets):
            base |= {
                "order_id": oid,
                "reference": terms.reference,
                "authority": terms.authority,
                "requester": terms.requester,
                "legal_basis": terms.legal_basis,
                "decided_on": terms.decided_on.isoformat(),
                "effective_at": format_instant(terms.effective_at),
                "expires_at": format_instant(terms.expires_at),
                "operators": sorted(terms.operators),
                "all_operators": terms.all_operators,
                "action": terms.action.value,
                "confidential": terms.confidential,
                "notice": terms.notice,
                "targets": _targets_payload(targets),
            }
        case OrderAmended(order_id=oid, added=added, removed=removed, expires_at=expires):
            base |= {
                "order_id": oid,
                "added": _targets_payload(added),
                "removed": list(removed),
                "expires_at": format_instant(expires) if expires else None,
            }
        case OrderLifted(order_id=oid, reason=reason):
            base |= {"order_id": oid, "reason": reason}
        case OperatorAdded() | OperatorChanged():
            base |= {
                "name": event.name,
                "notify": list(event.notify),
                "probe": list(event.probe),
                "allow_from": list(event.allow_from),
            }
        case KeyRotated(operator=op, key_name=key, previous=prev, previous_until=until):
            base |= {
                "operator": op,
                "key_name": key,
                "previous": prev,
                "previous_until": format_instant(until) if until else None,
            }
        case NameAllowed(name=name, reason=reason) | AllowEntryRemoved(name=name, reason=reason):
            base |= {"name": name, "reason": reason}
        case DocumentAttached():
            base |= {
                "order_id": event.order_id,
                "document": event.kind,
                "sha256": event.sha256,
                "size": event.size,
                "media_type": event.media_type,
                "filename": event.filename,
                "target": event.target,
                "captured_at": format_instant(event.captured_at) if event.captured_at else None,
                "captured_by": event.captured_by,
            }
    return base


def from_payload(p: dict[str, Any]) -> Event:
    at, actor, kind = parse_instant(p["at"]), p["actor"], p["kind"]
    if kind == "order.registered":
        terms = OrderTerms(
            reference=p["reference"],
            authority=p["authority"],
            requester=p["requester"],
            legal_basis=p["legal_basis"],
            decided_on=date.fromisoformat(p["decided_on"]),
            effective_at=parse_instant(p["effective_at"]),
            expires_at=parse_instant(p["expires_at"]),
            operators=frozenset(p["operators"]),
            all_operators=p["all_operators"],
            action=Action(p["action"]),
            confidential=p["confidential"],
            notice=p["notice"],
        )
        targets = tuple(_target_from(t) for t in p["targets"])
        return OrderRegistered(p["order_id"], at, actor, terms, targets)
    if kind == "order.amended":
        expires = parse_instant(p["expires_at"]) if p["expires_at"] else None
        added = tuple(_target_from(t) for t in p["added"])
        return OrderAmended(p["order_id"], at, actor, added, tuple(p["removed"]), expires)
    if kind == "order.lifted":
        return OrderLifted(p["order_id"], at, actor, p["reason"])
    if kind == "operator.added":
        return OperatorAdded(
            p["name"],
            at,
            actor,
            tuple(p["notify"]),
            tuple(p["probe"]),
            tuple(p.get("allow_from", ())),
        )
    if kind == "operator.changed":
        return OperatorChanged(
            p["name"], at, actor, tuple(p["notify"]), tuple(p["probe"]), tuple(p["allow_from"])
        )
    if kind == "operator.key":
        until = parse_instant(p["previous_until"]) if p["previous_until"] else None
        return KeyRotated(p["operator"], at, actor, p["key_name"], p["previous"], until)
    if kind == "allow.added":
        return NameAllowed(p["name"], at, actor, p["reason"])
    if kind == "allow.removed":
        return AllowEntryRemoved(p["name"], at, actor, p["reason"])
    if kind == "order.document":
        captured = parse_instant(p["captured_at"]) if p["captured_at"] else None
        return DocumentAttached(
            p["order_id"], at, actor, p["document"], p["sha256"], p["size"], p["media_type"],
            p["filename"], p["target"], captured, p["captured_by"],
        )  # fmt: skip
    raise ValueError(f"unknown event kind {kind!r}")
