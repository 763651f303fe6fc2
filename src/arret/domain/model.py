"""Orders, targets and operators (docs/orders.md), as immutable values.

An `Order` here is the registry's current knowledge of one order: its terms, and the
dated life of each of its targets. Every instant in it is in UTC. The rules of what
is blocked when live in `arret.domain.policy`; the rules of how an order may change
live in `arret.domain.lifecycle`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Scope(StrEnum):
    #: The name only.
    EXACT = "exact"
    #: The name and every name below it: "the whole site", what courts order (the default).
    SUBTREE = "subtree"


class Action(StrEnum):
    #: The name does not exist.
    NXDOMAIN = "nxdomain"
    #: The name exists but has no data.
    NODATA = "nodata"
    #: The name resolves to the notice host, whose page explains the block.
    NOTICE = "notice"


#: When two orders cover the same name and scope with different actions, the strongest
#: block wins, so that a later, milder order never weakens an earlier one.
ACTION_STRENGTH: dict[Action, int] = {Action.NXDOMAIN: 3, Action.NODATA: 2, Action.NOTICE: 1}


class Status(StrEnum):
    SCHEDULED = "scheduled"
    IN_FORCE = "in-force"
    EXPIRED = "expired"
    LIFTED = "lifted"


#: Each enum by its value, as text and the database spell it: read from one dictionary
#: (a lookup in the enum itself costs a call through its metaclass per value, and a
#: million targets are read at a time).
SCOPES: dict[str, Scope] = {s.value: s for s in Scope}
ACTIONS: dict[str, Action] = {a.value: a for a in Action}
STATUSES: dict[str, Status] = {s.value: s for s in Status}
#: And each value by its enum: `Enum.value` is a descriptor call, several times slower
#: than a lookup here, and a payload or a zone of a million names reads one per name.
SCOPE_VALUES: dict[Scope, str] = {s: s.value for s in Scope}
ACTION_VALUES: dict[Action, str] = {a: a.value for a in Action}


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """A target as written in an order or amendment; `name` is already an A-label."""

    name: str
    scope: Scope = Scope.SUBTREE
    #: None: the order's own action applies.
    action: Action | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A target with its dated presence in the order: present on [added_at, removed_at)."""

    name: str
    scope: Scope
    action: Action | None
    added_at: datetime
    removed_at: datetime | None = None

    def present_at(self, at: datetime) -> bool:
        return self.added_at <= at and (self.removed_at is None or at < self.removed_at)


@dataclass(frozen=True)
class OrderTerms:
    """What the authority decided, as it stands after any amendment of the expiry (the
    terms as first registered stay in the registration event)."""

    reference: str
    authority: str
    decided_on: date
    effective_at: datetime
    expires_at: datetime
    #: The addressed operators; empty together with `all_operators` means every operator,
    #: including operators added after the order.
    operators: frozenset[str]
    all_operators: bool = False
    requester: str = ""
    legal_basis: str = ""
    action: Action = Action.NXDOMAIN
    confidential: bool = False
    notice: str = ""

    def addresses(self, operator: str) -> bool:
        return self.all_operators or operator in self.operators


@dataclass(frozen=True)
class Order:
    id: int
    terms: OrderTerms
    #: The instant the registration takes effect in the registry's history: the
    #: registration itself, or the order's effective instant if that is earlier (an order
    #: registered late still binds from its effective instant).
    registered_at: datetime
    targets: tuple[Target, ...]
    lifted_at: datetime | None = None
    lift_reason: str = ""
    #: The instant of the latest event of this order; later changes may not predate it.
    last_changed_at: datetime = field(default_factory=lambda: datetime.min)

    @property
    def effective_at(self) -> datetime:
        return self.terms.effective_at

    @property
    def expires_at(self) -> datetime:
        return self.terms.expires_at

    @property
    def ends_at(self) -> datetime:
        """The end of the in-force interval [effective_at, ends_at)."""
        if self.lifted_at is not None and self.lifted_at < self.expires_at:
            return self.lifted_at
        return self.expires_at

    def status_at(self, at: datetime) -> Status:
        if self.lifted_at is not None and self.lifted_at <= at and self.lifted_at < self.expires_at:
            return Status.LIFTED
        if at >= self.expires_at:
            return Status.EXPIRED
        if at < self.effective_at:
            return Status.SCHEDULED
        return Status.IN_FORCE

    def in_force_at(self, at: datetime) -> bool:
        return self.effective_at <= at < self.ends_at

    def targets_at(self, at: datetime) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.present_at(at))

    def current_targets(self) -> tuple[Target, ...]:
        """Targets not removed (whether or not the order is in force)."""
        return tuple(t for t in self.targets if t.removed_at is None)

    def action_of(self, target: Target | TargetSpec) -> Action:
        return target.action or self.terms.action


@dataclass(frozen=True)
class Operator:
    """An ISP (or any resolver operator) that orders address."""

    name: str
    added_at: datetime
    #: Resolvers told of every change of the operator's feed (DNS NOTIFY), as HOST:PORT.
    notify: tuple[str, ...] = ()
    #: Resolvers whose answers compliance probing checks, as HOST:PORT.
    probe: tuple[str, ...] = ()
    #: Source networks allowed to transfer the feed without TSIG (for resolvers that
    #: cannot sign, such as Unbound 1.17), as CIDR.
    allow_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperatorKey:
    """A TSIG key (RFC 8945) of an operator. Accepted until `retired_at` if set."""

    operator: str
    name: str
    algorithm: str
    #: The shared secret, base64 (as resolvers' configurations write it).
    secret: str
    created_at: datetime
    retired_at: datetime | None = None

    def valid_at(self, at: datetime) -> bool:
        return self.created_at <= at and (self.retired_at is None or at < self.retired_at)


@dataclass(frozen=True)
class AllowEntry:
    """A name that must never be blocked, nor anything below it."""

    name: str
    reason: str
    added_at: datetime
    #: When it was taken off the list (`arret allow remove`); None while it stands.
    removed_at: datetime | None = None

    def in_force_at(self, at: datetime) -> bool:
        return self.added_at <= at and (self.removed_at is None or at < self.removed_at)
