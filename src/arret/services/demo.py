"""The 2021 case, with fictitious names under `.example`.

February 2021: the medical records of about 500,000 patients of French laboratories
were published on a freshly registered site behind a CDN. On 4 March 2021, ruling in
summary proceedings brought by the CNIL, the Paris judicial court ordered SFR, Orange,
Free and Bouygues Telecom to block the whole site "without delay and for a limited
period of 18 months". Here a mirror of the site, which appeared weeks later, is added
to the order by amendment.

That case ended on 4 September 2022: on its own it shows a registry where nothing happens.
So the demo also registers a present-day, clearly fictitious pair of orders, dated from
the moment it is loaded, so that a newcomer watches the feed move with nobody acting: an
order in force at once, a mirror added to it by an amendment that takes effect a minute
later, and a short order that ends four minutes later. Loading the demo again adds none
of them while the present-day order is in force (30 days); after that, a new pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from arret.domain.access import Kind, Role
from arret.domain.instants import format_instant, format_second, parse_duration
from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Action, Order, Status, TargetSpec
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


#: The present-day orders: their references start so, their names are these.
PRESENT = "DEMO-"
PRESENT_SITE = "fuite-sante-demo.example"
PRESENT_MIRROR = "fuite-sante-demo-miroir.example"
SHORT_SITE = "ephemere-demo.example"
#: When the mirror is added, and how long the short order lasts, from the demo's loading.
MIRROR_AFTER = timedelta(minutes=1)
SHORT_FOR = timedelta(minutes=4)
DEMO_AUTHORITY = "Tribunal judiciaire de Paris (référé) — fictitious, for the demo"


def _present_draft(reference: str, site: str, now: datetime, duration: str) -> OrderDraft:
    return OrderDraft(
        reference=reference,
        authority=DEMO_AUTHORITY,
        requester="Arrêt demo",
        decided_on=now.date(),
        targets=(TargetSpec(site),),
        operators=OPERATORS,
        effective_at=now,
        duration=parse_duration(duration),
        legal_basis="A fictitious order, registered by `arret demo` to show the feed moving: "
        "no court decided it.",
        action=Action.NOTICE,
        notice="Demo: a fictitious order of the Arrêt demo blocks this name.",
    )


@dataclass
class Loaded:
    order_id: int
    lines: list[str] = field(default_factory=list)


def load(conn: Connection, now: datetime, actor: str, moving: bool = True) -> Loaded:
    """Load the case unless it is there already (then change nothing); with `moving`, the
    present-day orders too, unless one is in force."""
    orders = store.list_orders(conn)
    existing = next((o.id for o in orders if o.terms.reference == REFERENCE), None)
    if existing is not None:
        lines = [f"the 2021 case is already loaded: order {existing}"]
        lines += _present(conn, now, actor, orders) if moving else []
        return Loaded(existing, lines + _walkthrough(existing))
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
    lines += _present(conn, now, actor, store.list_orders(conn)) if moving else []
    return Loaded(order.id, lines + _walkthrough(order.id))


def _present(conn: Connection, now: datetime, actor: str, orders: list[Order]) -> list[str]:
    """The present-day orders, unless one is in force already."""
    current = [
        o
        for o in orders
        if o.terms.reference.startswith(PRESENT) and o.status_at(now) is Status.IN_FORCE
    ]
    if current:
        return [f"the present-day demo order is in force already: order {current[0].id}"]
    stamp = now.strftime("%Y%m%d-%H%M%S")
    main = registry.register_order(
        conn, _present_draft(f"{PRESENT}{stamp}-1", PRESENT_SITE, now, "30d"), now, actor
    )
    mirror_at = now + MIRROR_AFTER
    registry.amend_order(conn, main.id, now, actor, add=[TargetSpec(PRESENT_MIRROR)], at=mirror_at)
    short = registry.register_order(
        conn, _present_draft(f"{PRESENT}{stamp}-2", SHORT_SITE, now, "4min"), now, actor
    )
    return [
        f"order {main.id} registered (fictitious, present-day): {PRESENT_SITE}, in force now "
        f"for 30 days",
        f"order {main.id} amended: mirror {PRESENT_MIRROR} added from "
        f"{format_second(mirror_at)} (a minute from now)",
        f"order {short.id} registered (fictitious): {SHORT_SITE}, until "
        f"{format_second(short.expires_at)} (four minutes from now)",
    ]


#: Where `arret serve` answers HTTP by default (`--http`), as the walkthrough shows it.
SITE = "http://127.0.0.1:8080"


def _walkthrough(order_id: int, site: str = SITE) -> list[str]:
    return [
        "",
        "Watch the feed move, with nobody acting (after `arret serve` starts, as `make run` does):",
        "  arret policy --operator orange          # now; again in a minute (the mirror), "
        "and in five (the short order gone)",
        "  dig @127.0.0.1 -p 5353 orange.rpz.arret. SOA +short     # the serial moves",
        "  dig @127.0.0.1 -p 5353 orange.rpz.arret. AXFR          # the whole zone "
        "(loopback may transfer)",
        "  arret operator config orange --resolver unbound --server 127.0.0.1:5353   "
        "# wire a local Unbound",
        f"  {site}/register          # the public register",
        f"  {site}/operators/orange  # orange's page: log in with the "
        "operator:orange token the demo prints",
        "  ARRET_CLOCK_OFFSET=+5min arret serve     # after Ctrl-C: the pages five minutes on "
        "at once (demos only: its clock is moved)",
        "",
        "The 2021 case, step by step:",
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
