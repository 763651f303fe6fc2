"""Orders, operators, policies and tokens as JSON-ready dicts: the one shape that the CLI's
`--json` and the HTTP API both print."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arret.domain.access import TokenInfo
from arret.domain.documents import Attached
from arret.domain.events import Event, OrderAmended, OrderLifted, OrderRegistered, to_payload
from arret.domain.instants import format_instant
from arret.domain.model import AllowEntry, Operator, Order, Target
from arret.domain.policy import Policy


def when(value: datetime | None) -> str | None:
    return format_instant(value) if value is not None else None


def operators_of(order: Order) -> list[str] | str:
    return "all" if order.terms.all_operators else sorted(order.terms.operators)


def order_summary(order: Order, at: datetime, names: int) -> dict[str, Any]:
    t = order.terms
    return {
        "id": order.id,
        "reference": t.reference,
        "authority": t.authority,
        "requester": t.requester,
        "legal_basis": t.legal_basis,
        "decided_on": t.decided_on.isoformat(),
        "effective_at": when(t.effective_at),
        "expires_at": when(t.expires_at),
        "lifted_at": when(order.lifted_at),
        "lift_reason": order.lift_reason or None,
        "status": order.status_at(at).value,
        "operators": operators_of(order),
        "action": t.action.value,
        "confidential": t.confidential,
        "notice": t.notice,
        "registered_at": when(order.registered_at),
        "names": names,
        "at": when(at),
    }


def target(order: Order, t: Target) -> dict[str, Any]:
    return {
        "name": t.name,
        "scope": t.scope.value,
        "action": order.action_of(t).value,
        "added_at": when(t.added_at),
        "removed_at": when(t.removed_at),
    }


def document(d: Attached, reveal: bool = True) -> dict[str, Any]:
    """A document an order carries; only its kind and digest unless `reveal` (the public
    view of a confidential order: the digest proves the document exists and lets whoever
    is shown it check it, and says nothing of its target or name)."""
    shown = {
        "kind": d.kind.value,
        "sha256": d.sha256,
        "media_type": d.media_type,
        "size": d.size,
        "filename": d.filename,
        "target": d.target,
        "captured_at": when(d.captured_at),
        "captured_by": d.captured_by,
        "attached_at": when(d.attached_at),
        "event": d.event_id,
    }
    if not reveal:  # the same shape, every other field null
        return {k: v if k in ("kind", "sha256") else None for k, v in shown.items()}
    return shown


def history_entry(seq: int, recorded_at: datetime, event: Event) -> dict[str, Any]:
    return {"seq": seq, "recorded_at": when(recorded_at), **to_payload(event)}


def operator(op: Operator) -> dict[str, Any]:
    return {
        "name": op.name,
        "added_at": when(op.added_at),
        "notify": list(op.notify),
        "probe": list(op.probe),
        "allow_from": list(op.allow_from),
    }


def allow_entry(entry: AllowEntry) -> dict[str, Any]:
    return {"name": entry.name, "reason": entry.reason, "added_at": when(entry.added_at)}


def policy(p: Policy) -> dict[str, Any]:
    return {
        "operator": p.operator,
        "at": when(p.at),
        "rules": [
            {
                "name": r.name,
                "scope": r.scope.value,
                "action": r.action.value,
                "orders": list(r.orders),
            }
            for r in p.rules
        ],
        "passthru": list(p.passthru),
    }


def token(info: TokenInfo, now: datetime) -> dict[str, object]:
    return {
        "id": info.id,
        "prefix": info.prefix,
        "role": str(info.role),
        "label": info.label,
        "state": info.state_at(now),
        "created_at": when(info.created_at),
        "created_by": info.created_by,
        "expires_at": when(info.expires_at),
        "revoked_at": when(info.revoked_at),
    }


@dataclass(frozen=True)
class Moment:
    """One dated step of an order's life, as the timeline shows it."""

    at: datetime
    #: registered, in-force, amended, lifted, expired
    kind: str
    #: Names added / removed (empty for a confidential order, which shows counts only).
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    added_count: int = 0
    removed_count: int = 0
    expires_at: datetime | None = None
    reason: str = ""
    actor: str = ""


def timeline(order: Order, history: list[tuple[int, datetime, Event]], now: datetime,
             reveal: bool,
             counts: Mapping[int, tuple[int, int]] | None = None) -> list[Moment]:  # fmt: skip
    """The order's dated life up to `now`: events, and the instants at which it came into
    force and expired by itself. Names only when `reveal` (never for the public view of a
    confidential order). `counts`: per event, how many names it added and removed in all,
    when the history's lists of names were cut short."""
    moments: list[Moment] = []
    for seq, _recorded, event in history:
        if isinstance(event, OrderRegistered):
            names = tuple(t.name for t in event.targets)
            count = counts[seq][0] if counts is not None else len(names)
            moments.append(Moment(event.at, "registered", names if reveal else (),
                                  added_count=count, actor=event.actor))  # fmt: skip
        elif isinstance(event, OrderAmended):
            added = tuple(t.name for t in event.added)
            added_count, removed_count = (
                counts[seq] if counts is not None else (len(added), len(event.removed))
            )
            moments.append(
                Moment(
                    event.at,
                    "amended",
                    added if reveal else (),
                    event.removed if reveal else (),
                    added_count,
                    removed_count,
                    event.expires_at,
                    actor=event.actor,
                )
            )
        elif isinstance(event, OrderLifted):
            moments.append(Moment(event.at, "lifted", reason=event.reason, actor=event.actor))
    if order.effective_at <= now and order.effective_at < order.ends_at:
        moments.append(Moment(order.effective_at, "in-force"))
    if order.expires_at <= now and order.status_at(now).value == "expired":
        moments.append(Moment(order.expires_at, "expired"))
    rank = {"registered": 0, "in-force": 1, "amended": 2, "lifted": 3, "expired": 4}
    return sorted(moments, key=lambda m: (m.at, rank[m.kind]))


#: Names listed per step of a timeline; the counts say how many there are in all (a
#: registration of a million names is not a million-name answer or page).
MOMENT_NAMES = 100


def moment(m: Moment) -> dict[str, Any]:
    return {
        "at": when(m.at),
        "kind": m.kind,
        "added": list(m.added[:MOMENT_NAMES]),
        "removed": list(m.removed[:MOMENT_NAMES]),
        "added_count": m.added_count,
        "removed_count": m.removed_count,
        "expires_at": when(m.expires_at),
        "reason": m.reason or None,
    }


def public_order(order: Order, at: datetime, count: int, names: list[str]) -> dict[str, Any]:
    """An order as anyone may read it: its terms, how many names it blocks (or blocked),
    and the first of them — none for a confidential order, which shows only the count.
    `names` may be a prefix of the order's names (long orders are paged)."""
    summary = order_summary(order, at, count)
    summary.pop("at")
    summary["targets"] = None if order.terms.confidential else names
    return summary
