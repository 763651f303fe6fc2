"""Who may do what through the HTTP API and the web UI, as pure rules.

Four kinds of caller:

- `authority` (the court's clerk, the regulator): writes orders, operators and the
  allow-list, and reads everything;
- `auditor`: reads everything, writes nothing;
- `operator:NAME` (an ISP's DNS team): reads its own feed, its status, and the orders
  addressed to it — confidential ones included, since it must block their names — and
  nothing about any other operator;
- anonymous: the public register (confidential orders as metadata and a count only),
  the notice page, health and metrics (counts, never names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from arret.domain.model import Order
from arret.domain.operators import check_operator_name
from arret.errors import InvalidRole


class Kind(StrEnum):
    AUTHORITY = "authority"
    AUDITOR = "auditor"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Role:
    kind: Kind
    #: The operator's name for `operator:NAME`, else None.
    operator: str | None = None

    def __str__(self) -> str:
        return f"operator:{self.operator}" if self.kind is Kind.OPERATOR else self.kind.value

    @classmethod
    def parse(cls, text: str) -> Role:
        head, sep, tail = text.strip().partition(":")
        if head == Kind.OPERATOR and sep:
            return cls(Kind.OPERATOR, check_operator_name(tail))
        if not sep and head in (Kind.AUTHORITY, Kind.AUDITOR):
            return cls(Kind(head))
        raise InvalidRole(
            f"unknown role {text!r}: a role is 'authority', 'auditor' or 'operator:NAME'"
        )


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the role of the token it presented."""

    role: Role
    token_id: int
    #: Written as the actor of every event this caller causes.
    actor: str

    @property
    def writes(self) -> bool:
        return self.role.kind is Kind.AUTHORITY

    @property
    def reads_everything(self) -> bool:
        return self.role.kind in (Kind.AUTHORITY, Kind.AUDITOR)

    def reads_operator(self, name: str) -> bool:
        return self.reads_everything or self.role.operator == name

    def holds_secrets_of(self, operator: str) -> bool:
        """Whether this caller may see `operator`'s TSIG secret: the operator itself and
        the authority that issues keys. An auditor reads everything else, but a secret
        would let it pull — or forge NOTIFYs for — any operator's feed."""
        return self.role.kind is Kind.AUTHORITY or self.role.operator == operator

    def reads_order(self, order: Order) -> bool:
        if self.reads_everything:
            return True
        return self.role.operator is not None and order.terms.addresses(self.role.operator)


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the token itself."""

    id: int
    prefix: str
    role: Role
    label: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid_at(self, at: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.expires_at is None or at < self.expires_at

    def state_at(self, at: datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= at:
            return "revoked"
        if self.expires_at is not None and at >= self.expires_at:
            return "expired"
        return "valid"
