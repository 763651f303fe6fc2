"""The 2021 case, with fictitious names under `.example`.

February 2021: the medical records of about 500,000 patients of French laboratories
were published on a freshly registered site behind a CDN. On 4 March 2021, ruling in
summary proceedings brought by the CNIL, the Paris judicial court ordered SFR, Orange,
Free and Bouygues Telecom to block the whole site "without delay and for a limited
period of 18 months". Here a mirror of the site, which appeared weeks later, is added
to the order by amendment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from arret.domain.access import Kind, Role
from arret.domain.instants import format_instant, parse_duration
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, TargetSpec
from arret.services import registry
from arret.services import tokens as token_service
from arret.store import registry as store
from arret.store import tokens as store_tokens

OPERATORS = ("sfr", "orange", "free", "bouygues")
REFERENCE = "21-51823"
LEAK_SITE = "dossiers-labos.example"
MIRROR = "dossiers-labos-miroir.example"
DECIDED = date(2021, 3, 4)
EFFECTIVE = datetime(2021, 3, 4, tzinfo=UTC)
MIRROR_ADDED = datetime(2021, 3, 25, 9, 30, tzinfo=UTC)

DRAFT = OrderDraft(
    reference=REFERENCE,
    authority="Tribunal judiciaire de Paris (référé)",
    requester="CNIL",
    decided_on=DECIDED,
    targets=(TargetSpec(LEAK_SITE),),
    operators=OPERATORS,
    effective_at=EFFECTIVE,
    duration=parse_duration("18mo"),
    legal_basis=(
        "Summary order of the president of the Paris judicial court, on the CNIL's "
        "request: publishing the file is a serious and immediate infringement of the "
        "rights of the persons concerned, notably the right to privacy. The whole site is "
        "blocked because the direct link could not be."
    ),
    action=Action.NOTICE,
    notice=(
        "Access to this site is blocked by order of the Paris judicial court (summary order "
        "n° 21-51823 of 4 March 2021): it publishes the medical records of about 500,000 "
        "patients. Accès bloqué sur décision du tribunal judiciaire de Paris."
    ),
)


@dataclass
class Loaded:
    order_id: int
    lines: list[str] = field(default_factory=list)


def load(conn: Connection, now: datetime, actor: str) -> Loaded:
    """Load the case unless it is there already (then change nothing)."""
    existing = next((o.id for o in store.list_orders(conn) if o.terms.reference == REFERENCE),
                    None)  # fmt: skip
    if existing is not None:
        return Loaded(
            existing, [f"the demo is already loaded: order {existing}", *_walkthrough(existing)]
        )
    known = store.operator_names(conn)
    lines = []
    for name in OPERATORS:
        if name not in known:
            registry.add_operator(conn, name, now, actor, allow_from=["127.0.0.0/8"])
            lines.append(f"operator {name} added")
    order = registry.register_order(conn, DRAFT, now, actor)
    lines.append(
        f"order {order.id} registered: {REFERENCE}, {LEAK_SITE} and below, "
        f"{format_instant(order.effective_at)} to {format_instant(order.expires_at)}"
    )
    registry.amend_order(conn, order.id, now, actor, add=[TargetSpec(MIRROR)], at=MIRROR_ADDED)
    lines.append(
        f"order {order.id} amended: mirror {MIRROR} added at {format_instant(MIRROR_ADDED)}"
    )
    return Loaded(order.id, lines + _walkthrough(order.id))


def _walkthrough(order_id: int) -> list[str]:
    return [
        "",
        "Try:",
        f"  arret order show {order_id}",
        "  arret policy --operator orange --at 2021-03-10",
        "  arret policy --operator orange --at 2021-04-01",
        "  arret policy --operator orange --at 2022-09-04T00:00:01Z",
    ]


#: Label of the tokens the demo hands out; each run revokes the previous ones.
TOKEN_LABEL = "demo"


def tokens(conn: Connection, now: datetime, actor: str) -> list[tuple[str, str]]:
    """Fresh tokens for every role of the demo, as (role, token). Tokens are shown only
    once, so a second run of the demo revokes the earlier demo tokens and makes new ones."""
    for info in store_tokens.list_tokens(conn):
        if info.label == TOKEN_LABEL and info.valid_at(now):
            token_service.revoke(conn, info.id, now)
    roles = [Role(Kind.AUTHORITY), Role(Kind.AUDITOR)]
    roles += [Role(Kind.OPERATOR, name) for name in OPERATORS]
    out = []
    for role in roles:
        token, _info = token_service.create(conn, role, now, actor, TOKEN_LABEL)
        out.append((str(role), token))
    return out
