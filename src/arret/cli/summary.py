"""The one line a write ends with, for people, and the same as an object for `--json`.

`order ID registered: N names for …; serial … for …; in T s`: what was written, whom it
reaches, the serials that carry it to the resolvers now, and how long it took. The
order's id is the line's second word and the object's `id`, so a script reads either
(`arret order add … --json | jq .id`, or `awk '{print $2}'`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from arret.domain.instants import format_instant

if TYPE_CHECKING:  # `arret feed sync` says its time with `took`, and needs no database
    from datetime import datetime

    from arret.domain.events import OrderRegistered
    from arret.domain.model import OrderTerms
    from arret.services.feed import Published
    from arret.services.registry import Amended, Lifted, Registration

#: Up to this many operators are named in a line; more are counted.
NAMED = 4


def took(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:,.0f} s"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def listed(names: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def addressees(terms: OrderTerms) -> str:
    if terms.all_operators:
        return "every operator"
    names = sorted(terms.operators)
    return listed(names) if len(names) <= NAMED else plural(len(names), "operator")


def serials(published: Sequence[Published]) -> str:
    """The serials a change published, as a line says them."""
    if not published:
        return "no zone changes now"
    found = sorted({p.serial for p in published})
    names = [p.operator for p in published]
    if len(found) == 1:
        whom = listed(names) if len(names) <= NAMED else plural(len(names), "operator")
        return f"serial {found[0]} for {whom}"
    if len(names) <= NAMED:
        return "serials " + listed([f"{p.operator} {p.serial}" for p in published])
    return f"serials {found[0]} to {found[-1]} for {plural(len(names), 'operator')}"


def _reach(event: OrderRegistered, published: Sequence[Published]) -> str:
    terms = event.terms
    if published or terms.effective_at <= event.at:
        return serials(published)
    return f"takes effect {format_instant(terms.effective_at)} (no serial before then)"


def registered(done: Registration, seconds: float) -> tuple[str, dict[str, Any]]:
    """What `arret order add` prints once the order is written.

    It does not say how many of the names other orders in force block already. Orders
    may overlap — two courts ordering the same site each stand on their own, and lifting
    one leaves the other — so the number would refuse nothing. And "already blocked" is
    the policy's question, not the names': a parent subtree of another order covers a
    name too, for the operators that order addresses, between its instants. One indexed
    query on equal names would miss the parents and count orders addressed to other
    operators; the true answer differs per operator and is what each feed's publication
    works out (the zone entries it adds), which the line gives as its serials."""
    event, published = done.event, done.published
    terms = event.terms
    line = (
        f"order {event.order_id} registered: {plural(len(event.targets), 'name')} for "
        f"{addressees(terms)}; {_reach(event, published)}; in {took(seconds)}"
    )
    data = {
        "id": event.order_id,
        "reference": terms.reference,
        "names": len(event.targets),
        "operators": "all" if terms.all_operators else sorted(terms.operators),
        "effective_at": format_instant(terms.effective_at),
        "expires_at": format_instant(terms.expires_at),
        "serials": {p.operator: p.serial for p in published},
        "seconds": round(seconds, 3),
    }
    return line, data


def would_register(event: OrderRegistered) -> tuple[str, dict[str, Any]]:
    """What `arret order add --dry-run` prints: the order as it would be written."""
    terms = event.terms
    to = "every operator" if terms.all_operators else ", ".join(sorted(terms.operators))
    line = (
        f"dry run, nothing written: the order would block {len(event.targets):,} names for "
        f"{to}, from {format_instant(terms.effective_at)} to {format_instant(terms.expires_at)}"
    )
    data = {
        "dry_run": True,
        "names": len(event.targets),
        "operators": "all" if terms.all_operators else sorted(terms.operators),
        "effective_at": format_instant(terms.effective_at),
        "expires_at": format_instant(terms.expires_at),
    }
    return line, data


def amended(done: Amended, dry_run: bool, seconds: float) -> tuple[str, dict[str, Any]]:
    """What `arret order amend` prints (or would, with --dry-run)."""
    event = done.event
    changes = [f"{len(event.added):,} added", f"{len(event.removed):,} removed"]
    if event.expires_at is not None:
        changes.append(f"expires {format_instant(event.expires_at)}")
    what = (
        f"dry run, nothing written: order {done.order.id} would be"
        if dry_run
        else f"order {done.order.id}"
    )
    line = f"{what} amended: {', '.join(changes)}; {done.targets:,} targets now"
    if not dry_run:
        line += f"; {serials(done.published)}; in {took(seconds)}"
    data = {
        "id": done.order.id,
        "dry_run": dry_run,
        "added": len(event.added),
        "removed": len(event.removed),
        "expires_at": None if event.expires_at is None else format_instant(event.expires_at),
        "targets": done.targets,
        "serials": {p.operator: p.serial for p in done.published},
        "seconds": round(seconds, 3),
    }
    return line, data


def lifted(done: Lifted, now: datetime, seconds: float) -> tuple[str, dict[str, Any]]:
    """What `arret order lift` prints: when the order ends, whom it was addressed to, the
    serials that stop the blocking now (none before a lift dated later), how long it
    took. The order's id is the line's second word and the object's `id`."""
    order, at = done.order, done.event.at
    # Dated later, it changes no zone now: its serials come at that instant.
    later = at > now and not done.published
    reach = "no serial before then" if later else serials(done.published)
    line = (
        f"order {order.id} lifted at {format_instant(at)} (addressed to "
        f"{addressees(order.terms)}); {reach}; in {took(seconds)}"
    )
    data = {
        "id": order.id,
        "lifted_at": format_instant(at),
        "reason": done.event.reason,
        "operators": "all" if order.terms.all_operators else sorted(order.terms.operators),
        "serials": {p.operator: p.serial for p in done.published},
        "seconds": round(seconds, 3),
    }
    return line, data
