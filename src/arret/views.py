"""Orders, operators, policies and tokens as JSON-ready dicts: the one shape that the CLI's
`--json` and the HTTP API both print."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arret.domain.access import TokenInfo
from arret.domain.events import Event, to_payload
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
