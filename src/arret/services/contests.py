"""Contests as use cases: receive one (checked whole, bounded without knowing the sender),
show its state to whoever holds its secret link, queue them for the authority, decide
them, and count them for the public — in the caller's transaction.

Each receipt and each decision is a leaf of the transparency log (`type: contest`) that
holds the contest's id, the orders it concerns, the outcome and a commitment to the name
(SHA-256 of a salt and the name, as for confidential orders): nothing the claimant wrote.
A removal is an amendment of the orders (or their lift, when the name was their last),
an allow-listing an allow-list entry: each reaches the resolvers as any other.
"""

from __future__ import annotations

import secrets
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from arret.domain import contests as rules
from arret.domain import documents, names, text
from arret.domain.contests import PENDING, Claim, Limits, Outcome, Standing
from arret.domain.instants import format_instant
from arret.domain.model import Order, Scope
from arret.errors import ArretError, InvalidContest, InvalidName, NotFound, TooManyContests
from arret.services import notice, registry
from arret.store import contests as store
from arret.store import log as store_log
from arret.store import registry as store_registry
from arret.store.contests import Contest, StoredAttachment

__all__ = ["Contest", "StoredAttachment"]
from arret.tlog.leaves import commitment


@dataclass(frozen=True)
class Mailing:
    """Who is told by e-mail (through the outbox): the authority's address, if any, and
    the address people reach the web UI at (for links)."""

    authority: str | None = None
    public_url: str = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class Proof:
    challenge: str
    answer: str


@dataclass(frozen=True)
class Receipt:
    id: int
    #: The follow-up secret, shown once: the registry keeps only its digest.
    secret: str
    name: str
    received_at: datetime
    due_at: datetime
    orders: tuple[int, ...]


def new_challenge(key: bytes, now: datetime, limits: Limits) -> str:
    return rules.challenge(key, now, limits.pow_bits, secrets.token_bytes(12))


def _name_commitment(conn: Connection, name: str) -> dict[str, str]:
    salt = store_log.salts(conn, [name])[name]
    return {"commitment": commitment(salt, name)}


def _log(conn: Connection, record: dict[str, Any], at: datetime) -> None:
    store_log.append(conn, {"type": "contest", **record}, at)


def submit(
    conn: Connection,
    claim: Claim,
    proof: Proof,
    key: bytes,
    now: datetime,
    limits: Limits,
    mailing: Mailing | None = None,
) -> Receipt:
    """Receive a contest, or refuse it with every reason and nothing stored: the claim's
    own problems and the name's first, then the proof of work, then the rate limits."""
    # Receipts are serial (the log's lock): the rate counts and the spent challenges are
    # read and written by one contest at a time.
    store_log.lock(conn)
    problems = rules.claim_problems(claim, limits)
    name: str | None = None
    try:
        name = names.normalize(claim.name)
    except InvalidName as bad:
        problems.append(f"name: {bad.summary}" + "".join(f"; {r}" for r in bad.reasons))
    blocks: tuple[notice.Block, ...] = ()
    if name is not None:
        answer = notice.lookup(conn, name, now)
        blocks = answer.blocks
        if not blocks:
            problems.append(
                f"name: {name} is not blocked now: there is nothing to contest"
                + (f" ({answer.allowed_by} is on the allow-list)" if answer.allowed_by else "")
            )
    if problems:
        raise InvalidContest("the contest was not received; nothing was stored", problems)
    assert name is not None
    refused = rules.proof_problem(key, proof.challenge, proof.answer, now, limits)
    if refused is not None:
        raise InvalidContest("the contest was not received; nothing was stored", [refused])
    _check_rate(conn, name, now, limits)
    if not store.spend_challenge(
        conn, rules.challenge_digest(proof.challenge), now + limits.pow_lifetime, now
    ):
        raise InvalidContest(
            "the contest was not received; nothing was stored",
            ["proof of work: this challenge was answered already; ask for a new one"],
        )
    standing = Standing(claim.standing)
    due = limits.due(standing, now)
    orders = tuple(sorted({b.order.id for b in blocks}))
    secret = secrets.token_urlsafe(24)
    attachments = [(a, documents.sniff(a.content) or "") for a in claim.attachments]
    contest_id = store.insert_contest(
        conn,
        name=name,
        standing=standing.value,
        reason=claim.reason.strip(),
        contact=claim.contact.strip() or None,
        secret_digest=rules.secret_digest(secret),
        orders=orders,
        received_at=now,
        due_at=due,
        attachments=attachments,
    )
    _log(conn, {
        "contest": contest_id, "state": "received", "at": format_instant(now),
        "due_at": format_instant(due), "orders": list(orders),
        "name": _name_commitment(conn, name),
    }, now)  # fmt: skip
    if mailing is not None and mailing.authority:
        store.enqueue(
            conn,
            mailing.authority,
            f"Contest {contest_id} received (due {format_instant(due)})",
            f"A contest of the block of a name under order(s) {', '.join(map(str, orders))} "
            f"arrived at {format_instant(now)}; it is due by {format_instant(due)}.\n\n"
            f"Review it: {mailing.public_url}/contests/{contest_id}\n",
            now,
        )
    return Receipt(contest_id, secret, name, now, due, orders)


def _check_rate(conn: Connection, name: str, now: datetime, limits: Limits) -> None:
    since = now - limits.window
    for who, count, cap in (
        (name, store.received_since(conn, since, name), limits.per_name),
        (None, store.received_since(conn, since), limits.overall),
    ):
        if count < cap:
            continue
        oldest = store.oldest_since(conn, since, who) or now
        wait = max(1, int((oldest + limits.window - now).total_seconds()) + 1)
        about = f"the name {name}" if who else "this registry"
        raise TooManyContests(
            f"{about} received {count} contests in the last {_span(limits.window)}, the most "
            "it takes; nothing was stored",
            wait,
        )


def _span(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour{'s' * (hours != 1)}"


# --- the claimant's view -------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """What the claimant's secret link shows: their contest, its state and the outcome."""

    contest: Contest
    attachments: list[StoredAttachment]


def follow(conn: Connection, contest_id: int, secret: str) -> Followed:
    """The contest behind a follow-up link; NotFound for a wrong secret as for a wrong id
    (the answer says nothing of which contests exist)."""
    try:
        found = store.get(conn, contest_id)
    except NotFound:
        found = None
    if found is None or not rules.secret_matches(secret, found.secret_digest):
        raise NotFound("no contest at this link (check that it was copied whole)")
    return Followed(found, store.attachments(conn, contest_id))


# --- the authority's queue -----------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    """A contest as the authority reviews it."""

    contest: Contest
    orders: list[Order]
    age: timedelta
    left: timedelta
    bystander: bool
    evidence: list[dict[str, Any]]
    attachments: list[StoredAttachment]

    @property
    def overdue(self) -> bool:
        return self.contest.state == PENDING and self.left < timedelta(0)


#: Probe results shown per contest.
EVIDENCE = 20


def _reviewed(conn: Connection, contest: Contest, now: datetime) -> Reviewed:
    orders = []
    for order_id in contest.orders:
        try:
            orders.append(store_registry.load_order_head(conn, order_id))
        except NotFound:
            continue
    return Reviewed(
        contest,
        orders,
        now - contest.received_at,
        contest.due_at - now,
        Standing(contest.standing) in rules.BYSTANDERS,
        store.probe_evidence(conn, contest.name, EVIDENCE),
        store.attachments(conn, contest.id),
    )


def queue(conn: Connection, now: datetime, pending_only: bool = True) -> list[Reviewed]:
    """The contests to decide, soonest due first (or every contest, newest first)."""
    return [_reviewed(conn, c, now) for c in store.listing(conn, pending_only)]


def review(conn: Connection, contest_id: int, now: datetime) -> Reviewed:
    return _reviewed(conn, store.get(conn, contest_id), now)


def attachment(
    conn: Connection, contest_id: int, attachment_id: int
) -> tuple[StoredAttachment, bytes]:
    return store.attachment_content(conn, contest_id, attachment_id)


# --- decisions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    contest: Contest
    #: What the decision changed in the registry, in words (for the authority).
    changes: tuple[str, ...]


def decide(
    conn: Connection,
    contest_id: int,
    outcome: str,
    reason: str,
    now: datetime,
    actor: str,
    mailing: Mailing | None = None,
) -> Decided:
    """Close a pending contest: uphold (the reasons are the claimant's to read), remove the
    name from the orders that block it, allow-list it, or refer it to the court."""
    problems = []
    if outcome not in {o.value for o in Outcome}:
        problems.append(f"outcome: {outcome!r} is not one of "
                        + ", ".join(o.value for o in Outcome))  # fmt: skip
    if not reason.strip():
        problems.append("reason: the claimant reads the decision's reasons; give them")
    problems += text.problems(rules.DECISION, reason)
    if problems:
        raise InvalidContest("the decision was not recorded", problems)
    # Decisions are serial (the log's lock), so a contest is decided once, on SQLite too.
    store_log.lock(conn)
    contest = store.get_for_update(conn, contest_id)
    if contest.state != PENDING:
        raise InvalidContest(f"contest {contest_id} was decided already ({contest.state})", [])
    chosen = Outcome(outcome)
    changes: list[str] = []
    public_reason = f"contest {contest_id}: {chosen.value}"
    if chosen is Outcome.REMOVED:
        changes = _remove(conn, contest, now, actor, public_reason)
    elif chosen is Outcome.ALLOWED:
        registry.allow_name(conn, contest.name, public_reason, now, actor)
        changes = [f"{contest.name} is on the allow-list"]
    store.decide(conn, contest_id, chosen.value, now, actor, reason.strip())
    _log(conn, {
        "contest": contest_id, "state": "decided", "outcome": chosen.value,
        "at": format_instant(now), "orders": list(contest.orders),
        "name": _name_commitment(conn, contest.name),
    }, now)  # fmt: skip
    if mailing is not None and contest.contact:
        store.enqueue(
            conn,
            contest.contact,
            f"Your contest {contest_id} was decided: {chosen.value}",
            f"Your contest {contest_id} of the block of {contest.name} was decided on "
            f"{format_instant(now)}: {chosen.value}.\n\n{reason.strip()}\n\n"
            "Your follow-up link (from your receipt) shows it too.\n",
            now,
        )
    return Decided(store.get(conn, contest_id), tuple(changes))


def _remove(conn: Connection, contest: Contest, now: datetime, actor: str, why: str) -> list[str]:
    """Take the contested name out of every order that blocks it by that name: an
    amendment, or a lift when it is the order's last name. A name blocked only through a
    parent's subtree cannot be removed without unblocking the whole subtree: refused."""
    blocks = notice.lookup(conn, contest.name, now).blocks
    exact = sorted({b.order.id for b in blocks if b.target.name == contest.name})
    through = sorted(
        {f"{b.target.name} (order {b.order.id})" for b in blocks
         if b.target.name != contest.name and b.target.scope is Scope.SUBTREE}
    )  # fmt: skip
    if through:
        raise InvalidContest(
            f"{contest.name} is blocked through a parent's subtree; removing that would "
            "unblock every name under it",
            [f"blocked through {t}; allow-list the name instead" for t in through],
        )
    if not exact:
        raise InvalidContest(f"{contest.name} is not blocked now; uphold or refer instead", [])
    changes = []
    for order_id in exact:
        if store_registry.current_target_count(conn, order_id) <= 1:
            registry.lift_order(conn, order_id, now, actor, why)
            changes.append(f"order {order_id} lifted ({contest.name} was its last name)")
        else:
            registry.amend_order(conn, order_id, now, actor, remove=[contest.name])
            changes.append(f"{contest.name} removed from order {order_id}")
    return changes


# --- public counts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Counts only: how many contests, how many decided and how, how long a decision took
    (the median, in hours)."""

    received: int
    pending: int
    outcomes: dict[str, int]
    median_hours: float | None


def _by_state(states: dict[str, int]) -> dict[str, int]:
    """Every state, and the total, from the counts the store has (missing ones are 0)."""
    return {"contests": sum(states.values()), PENDING: states.get(PENDING, 0)} | {
        o.value: states.get(o.value, 0) for o in Outcome
    }


def counts(conn: Connection) -> Counts:
    """The registry's contests, counted by the database (no row read per contest, but the
    decided ones' two instants for the median)."""
    states = _by_state(store.state_counts(conn))
    waits = [(d - r).total_seconds() / 3600 for r, d in store.decision_spans(conn)]
    median = round(statistics.median(waits), 1) if waits else None
    outcomes = {o.value: states[o.value] for o in Outcome}
    return Counts(states["contests"], states[PENDING], outcomes, median)


def order_counts(conn: Connection, order_id: int) -> dict[str, int] | None:
    """One order's contests per state (and `contests`, their total); None without any."""
    states = store.state_counts(conn, order_id)
    return _by_state(states) if states else None


def per_order(conn: Connection) -> dict[int, dict[str, int]]:
    return {k: _by_state(v) for k, v in sorted(store.states_per_order(conn).items())}


def problems_of(error: ArretError) -> list[str]:
    """The reasons of a refusal, for a form to show beside what was typed."""
    return [error.summary, *error.reasons]


def standings() -> Sequence[str]:
    return [s.value for s in Standing]
