"""How an order is born, changes and ends: the registry's rules, as pure functions.

`plan_*` functions check a requested change against the order as it stands and return
the event to record, or raise `InvalidOrder` listing *every* reason it is refused.
`apply` folds an event into the order's state. Names in targets are already valid
A-labels here (see `arret.domain.names`); what is checked is the law of the order:

- an order has an end, after its start (an order without an end is refused);
- history is never rewritten: a change may not be dated before the order's last change,
  and an order that has ended (expired or lifted) is not changed again — a new order is
  registered instead;
- a new expiry must lie after the instant of the amendment (ending an order now is a
  lift, with its reason on record).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar

from arret.domain import text
from arret.domain.events import OrderAmended, OrderEvent, OrderLifted, OrderRegistered
from arret.domain.instants import (
    Duration,
    format_instant,
    parse_date,
    parse_duration,
    parse_instant,
)
from arret.domain.model import (
    ACTIONS,
    SCOPES,
    Action,
    Order,
    OrderTerms,
    Scope,
    Status,
    Target,
    TargetSpec,
)
from arret.errors import InvalidName, InvalidOrder, InvalidTargets, InvalidTime

_T = TypeVar("_T")

#: Names one change may add and remove in all before it needs an explicit confirmation,
#: unless the entry point is told otherwise (`--confirm-above`): a mistyped file or a
#: wrong order id should cost a question, not a million names blocked or unblocked
#: (`services.registry.gate`).
CONFIRM_ABOVE = 100


@dataclass(frozen=True)
class OrderDraft:
    """An order as submitted by an authority, before the registry accepts it."""

    reference: str
    authority: str
    decided_on: date
    targets: tuple[TargetSpec, ...]
    operators: tuple[str, ...] = ()
    all_operators: bool = False
    #: None: the instant of registration ("without delay").
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    duration: Duration | None = None
    requester: str = ""
    legal_basis: str = ""
    action: Action = Action.NXDOMAIN
    confidential: bool = False
    notice: str = ""


@dataclass(frozen=True)
class TypedOrder:
    """An order as it was typed — on the command line, in a JSON body, in the web form —
    every field still text, its targets already read (`parse_target_lines` or one per
    argument). `parse_draft` turns it into an `OrderDraft`."""

    reference: str = ""
    authority: str = ""
    decided_on: str = ""
    targets: tuple[TargetSpec, ...] = ()
    operators: tuple[str, ...] = ()
    all_operators: bool = False
    effective_at: str = ""
    expires_at: str = ""
    duration: str = ""
    requester: str = ""
    legal_basis: str = ""
    action: str = Action.NXDOMAIN.value
    confidential: bool = False
    notice: str = ""


#: How `parse_draft` names a field in its reasons unless told otherwise: the API's names.
FIELD_NAMES = {
    "reference": "reference",
    "authority": "authority",
    "decided_on": "decided_on",
    "effective_at": "effective_at",
    "expires_at": "expires_at",
    "duration": "duration",
    "action": "action",
}


def parse_draft(
    typed: TypedOrder,
    names: dict[str, str] | None = None,
    problems: Sequence[str] = (),
) -> OrderDraft:
    """The draft `typed` describes, or `InvalidOrder` listing every reason it cannot be
    read — each field missing or unreadable at once, after `problems` already found (its
    targets' lines, say). `names` says how the edge calls each field (`--decided`, "date
    of the decision"); the law of the order (an end after its start…) is checked when it
    is planned, not here."""
    label = {**FIELD_NAMES, **(names or {})}
    reasons = list(problems)
    for field in ("reference", "authority", "decided_on"):
        if not getattr(typed, field).strip():
            reasons.append(f"{label[field]}: required")

    def read(field: str, parse: Callable[[str], _T]) -> _T | None:
        raw = getattr(typed, field)
        if not raw.strip():
            return None
        try:
            return parse(raw)
        except InvalidTime as error:
            reasons.append(f"{label[field]}: {error.summary}")
            return None

    decided = read("decided_on", parse_date)
    effective = read("effective_at", parse_instant)
    expires = read("expires_at", parse_instant)
    duration = read("duration", parse_duration)
    action = ACTIONS.get(typed.action.strip().lower())
    if action is None:
        reasons.append(
            f"{label['action']}: unknown action {typed.action!r} (one of: {', '.join(ACTIONS)})"
        )
    if reasons or decided is None or action is None:
        raise InvalidOrder(reasons)
    return OrderDraft(
        reference=typed.reference,
        authority=typed.authority,
        decided_on=decided,
        targets=typed.targets,
        operators=typed.operators,
        all_operators=typed.all_operators,
        effective_at=effective,
        expires_at=expires,
        duration=duration,
        requester=typed.requester,
        legal_basis=typed.legal_basis,
        action=action,
        confidential=typed.confidential,
        notice=typed.notice,
    )


def parse_instants(
    typed: Mapping[str, str | None], refused: str = "request refused"
) -> dict[str, datetime | None]:
    """Each instant of `typed` (by the name its edge gives it; empty: None), or
    `InvalidOrder` listing every one that cannot be read."""
    out: dict[str, datetime | None] = {}
    problems = []
    for field, raw in typed.items():
        try:
            out[field] = parse_instant(raw) if raw else None
        except InvalidTime as error:
            problems.append(f"{field}: {error.summary}")
    if problems:
        raise InvalidOrder(problems, refused)
    return out


_LINE_END = re.compile(r"\r\n|\r|\n")


def parse_target_lines(text: str, scope: Scope, source: str) -> list[TargetSpec]:
    """Targets written one per line, `NAME [exact|subtree] [nxdomain|nodata|notice]`, with
    `#` comments (a targets file, the web form's text box). Every bad line is reported."""
    if "#" not in text and "\r" not in text:
        # The usual file: a name alone on each line. When no line holds a space (the
        # words have as many characters as the lines), the words are the names.
        lines, words = text.split("\n"), text.split()
        if sum(map(len, words)) == sum(map(len, lines)):
            return [TargetSpec(word, scope) for word in words]
    specs, problems = [], []
    # Only CR, LF and CRLF end a line: str.splitlines() also splits on form feeds, U+2028
    # and others, and the numbers it gives would not be the ones an editor or `sed` shows.
    # (A file without CR is split on LF by str.split, which is several times faster.)
    lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
    for number, raw in enumerate(lines, 1):
        words = (raw.split("#", 1)[0] if "#" in raw else raw).split()
        if len(words) == 1:  # the usual line: a name alone
            specs.append(TargetSpec(words[0], scope))
            continue
        if not words:
            continue
        line_scope, action, unknown = scope, None, []
        for word in words[1:]:
            if word.lower() in SCOPES:
                line_scope = SCOPES[word.lower()]
            elif word.lower() in ACTIONS:
                action = ACTIONS[word.lower()]
            else:
                unknown.append(word)
        if unknown:
            problems.append(
                InvalidName(
                    f"{source}:{number}: {raw.strip()}",
                    f"unknown word(s) {' '.join(unknown)!r}; a line is NAME "
                    "[exact|subtree] [nxdomain|nodata|notice]",
                )
            )
            continue
        specs.append(TargetSpec(words[0], line_scope, action))
    if problems:
        raise InvalidTargets(problems)
    return specs


def _operator_reasons(draft: OrderDraft, known: Collection[str]) -> list[str]:
    if draft.all_operators and draft.operators:
        return ["address either named operators (--operator) or --all-operators, not both"]
    if not draft.all_operators and not draft.operators:
        return ["address at least one operator (--operator NAME) or every one (--all-operators)"]
    listing = ", ".join(sorted(known)) or "none yet"
    return [
        f"unknown operator {name!r} (known: {listing}); add it first: arret operator add {name}"
        for name in dict.fromkeys(draft.operators)
        if name not in known
    ]


def plan_registration(
    draft: OrderDraft, now: datetime, known_operators: Collection[str], actor: str
) -> OrderRegistered:
    """Check a draft and return its registration event (order id 0: the store assigns it)."""
    reasons: list[str] = []
    if not draft.reference.strip():
        reasons.append("a reference (the case number) is required")
    if not draft.authority.strip():
        reasons.append("the issuing authority is required")
    effective = draft.effective_at or now
    expires: datetime | None = None
    if draft.expires_at is not None and draft.duration is not None:
        reasons.append("give either an expiry (--expires) or a duration (--duration), not both")
    elif draft.expires_at is not None:
        expires = draft.expires_at
    elif draft.duration is not None:
        expires = draft.duration.after(effective)
    else:
        reasons.append(
            "an order without an end is refused: give --expires DATETIME or --duration (e.g. 18mo)"
        )
    if expires is not None and expires <= effective:
        reasons.append(
            f"the order would end ({format_instant(expires)}) at or before it takes effect "
            f"({format_instant(effective)})"
        )
    if draft.decided_on > effective.date():
        reasons.append(
            f"the order would take effect ({format_instant(effective)}) before it was decided "
            f"({draft.decided_on.isoformat()})"
        )
    reasons += _operator_reasons(draft, known_operators)
    reasons += text.check(
        (text.REFERENCE, draft.reference),
        (text.AUTHORITY, draft.authority),
        (text.REQUESTER, draft.requester),
        (text.LEGAL_BASIS, draft.legal_basis),
        (text.NOTICE, draft.notice),
    )
    if not draft.targets:
        reasons.append("an order needs at least one target name")
    if reasons or expires is None:
        raise InvalidOrder(reasons)
    terms = OrderTerms(
        reference=draft.reference.strip(),
        authority=draft.authority.strip(),
        decided_on=draft.decided_on,
        effective_at=effective,
        expires_at=expires,
        operators=frozenset(draft.operators),
        all_operators=draft.all_operators,
        requester=draft.requester.strip(),
        legal_basis=draft.legal_basis,
        action=draft.action,
        confidential=draft.confidential,
        notice=draft.notice,
    )
    return OrderRegistered(0, min(now, effective), actor, terms, draft.targets)


def _timing_reasons(order: Order, at: datetime, verb: str) -> list[str]:
    if at < order.last_changed_at:
        return [
            f"{verb} cannot be dated ({format_instant(at)}) before order {order.id}'s last "
            f"change ({format_instant(order.last_changed_at)}): its history is not rewritten"
        ]
    status = order.status_at(at)
    if status is Status.LIFTED:
        assert order.lifted_at is not None
        return [
            f"order {order.id} was lifted at {format_instant(order.lifted_at)}; "
            "register a new order instead"
        ]
    if status is Status.EXPIRED:
        return [
            f"order {order.id} expired at {format_instant(order.expires_at)}; "
            "register a new order instead"
        ]
    return []


@dataclass(frozen=True)
class Standing:
    """What an amendment needs to know of an order's targets, and no more: of the names it
    adds or removes, those that are targets now (not removed), and how many targets the
    order has now (-1 when not counted: only an amendment that adds nothing needs it). A
    store answers both with indexed queries, so an amendment of k names
    costs O(k) whatever the order's size."""

    present: frozenset[str]
    count: int

    @staticmethod
    def of(order: Order, names: Iterable[str] = ()) -> Standing:
        current = {t.name for t in order.current_targets()}
        return Standing(frozenset(n for n in names if n in current), len(current))


def plan_amendment(
    order: Order,
    at: datetime,
    actor: str,
    added: Sequence[TargetSpec] = (),
    removed: Sequence[str] = (),
    expires_at: datetime | None = None,
    standing: Standing | None = None,
) -> OrderAmended:
    """The amendment of `order` (whose targets may be left out when `standing` says what
    is needed of them), or every reason it is refused."""
    if not added and not removed and expires_at is None:
        raise InvalidOrder(
            ["nothing to amend: give --add, --remove or --expires"],
            f"amendment of order {order.id} refused",
        )
    added_names = [t.name for t in added]
    if standing is None:
        standing = Standing.of(order, [*added_names, *removed])
    reasons = _timing_reasons(order, at, "an amendment")
    present = standing.present
    reasons += [
        f"{n!r} is already a target of order {order.id}" for n in added_names if n in present
    ]
    reasons += [f"{n!r} is not a target of order {order.id}" for n in removed if n not in present]
    reasons += [f"{n!r} is both added and removed" for n in set(added_names) & set(removed)]
    if not added and standing.count > 0 and len(present & set(removed)) >= standing.count:
        reasons.append(f"removing every target would leave order {order.id} empty; lift it instead")
    if expires_at is not None:
        if expires_at <= at:
            reasons.append(
                f"the new expiry ({format_instant(expires_at)}) is not after the amendment "
                f"({format_instant(at)}); to end the order now, lift it with a reason"
            )
        elif expires_at <= order.effective_at:
            reasons.append(
                f"the new expiry ({format_instant(expires_at)}) is not after the order takes "
                f"effect ({format_instant(order.effective_at)})"
            )
    if reasons:
        raise InvalidOrder(reasons, f"amendment of order {order.id} refused")
    return OrderAmended(order.id, at, actor, tuple(added), tuple(removed), expires_at)


def plan_lift(order: Order, at: datetime, actor: str, reason: str) -> OrderLifted:
    reasons = _timing_reasons(order, at, "a lift")
    if not reason.strip():
        reasons.append("a lift needs a reason (--reason), kept on the public record")
    reasons += text.check((text.REASON, reason))
    if reasons:
        raise InvalidOrder(reasons, f"lift of order {order.id} refused")
    return OrderLifted(order.id, at, actor, reason.strip())


def apply(order: Order | None, event: OrderEvent) -> Order:
    """The order after `event` (None before its registration)."""
    if isinstance(event, OrderRegistered):
        if order is not None:
            raise ValueError(f"order {event.order_id} is registered twice")
        targets = tuple(Target(t.name, t.scope, t.action, event.at) for t in event.targets)
        return Order(
            id=event.order_id,
            terms=event.terms,
            registered_at=event.at,
            targets=targets,
            last_changed_at=event.at,
        )
    if order is None:
        raise ValueError(f"order {event.order_id} is changed before it is registered")
    if isinstance(event, OrderAmended):
        removed = set(event.removed)
        kept = tuple(
            replace(t, removed_at=event.at) if t.removed_at is None and t.name in removed else t
            for t in order.targets
        )
        new = tuple(Target(t.name, t.scope, t.action, event.at) for t in event.added)
        terms = order.terms
        if event.expires_at is not None:
            terms = replace(terms, expires_at=event.expires_at)
        return replace(order, terms=terms, targets=kept + new, last_changed_at=event.at)
    return replace(order, lifted_at=event.at, lift_reason=event.reason, last_changed_at=event.at)


def fold(events: Sequence[OrderEvent]) -> dict[int, Order]:
    """Every order's state after `events` (in recorded order)."""
    orders: dict[int, Order] = {}
    for event in events:
        orders[event.order_id] = apply(orders.get(event.order_id), event)
    return orders
