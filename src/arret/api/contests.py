"""`/api/contests`: anyone contests the block of a name (no token: a proof of work
instead), follows it by its secret link; the authority reviews the queue and decides;
`/api/public/contests` counts them for everyone."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from arret.api import contract
from arret.domain.contests import ACCEPTED, Attachment, Claim, Outcome, Standing
from arret.domain.instants import format_instant
from arret.errors import InvalidContest
from arret.http.deps import Id, Overseer, Rt, Writer
from arret.http.downloads import download
from arret.http.runtime import Runtime
from arret.services import contests

router = APIRouter(tags=["contests"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class AttachmentIn(_Strict):
    filename: str = Field(max_length=1000, examples=["proof.pdf"])
    media_type: str = Field("", max_length=200, examples=["application/pdf"])
    #: The file, base64 (RFC 4648 §4).
    content: str


class ProofIn(_Strict):
    challenge: str = Field(max_length=200, description="From GET /api/contests/challenge.")
    answer: str = Field(
        max_length=40,
        description="A decimal counter N such that SHA-256('<challenge>:<N>') starts with "
        "`bits` zero bits.",
    )


class ContestIn(_Strict):
    name: str = Field(max_length=1000, examples=["dossiers-labos.example"])
    standing: Standing
    reason: str = Field(max_length=20000)
    contact: str = Field("", max_length=1000, description="An e-mail address, if you want one.")
    attachments: list[AttachmentIn] = Field([], max_length=20)
    proof: ProofIn


class ChallengeOut(_Out):
    challenge: str
    bits: int
    expires_in: int


class ReceiptOut(_Out):
    id: int
    secret: str
    follow_up: str
    name: str
    received_at: str
    due_at: str
    orders: list[int]


class AttachmentOut(_Out):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


class FollowOut(_Out):
    id: int
    name: str
    state: str
    received_at: str
    due_at: str
    decided_at: str | None
    decision: str | None
    attachments: list[AttachmentOut]


class OrderRefOut(_Out):
    id: int
    reference: str
    authority: str


class EvidenceOut(_Out):
    resolver: str
    verdict: str
    expected: str | None
    rcode: str
    at: str


class ReviewOut(_Out):
    id: int
    name: str
    standing: str
    bystander: bool
    reason: str
    contact: str | None
    orders: list[OrderRefOut]
    state: str
    received_at: str
    due_at: str
    age_hours: float
    hours_left: float
    overdue: bool
    decided_at: str | None
    decided_by: str | None
    decision: str | None
    evidence: list[EvidenceOut]
    attachments: list[AttachmentOut]


class DecisionIn(_Strict):
    outcome: Outcome
    reason: str = Field(max_length=20000)


class DecidedOut(ReviewOut):
    changes: list[str]


class CountsOut(_Out):
    received: int
    pending: int
    outcomes: dict[str, int]
    median_hours_to_decision: float | None
    per_order: dict[str, dict[str, int]]


def _when(at: datetime | None) -> str | None:
    return None if at is None else format_instant(at)


def follow_path(contest_id: int, secret: str) -> str:
    return f"/contests/follow/{contest_id}/{secret}"


def _attachments(found: list[Any]) -> list[dict[str, Any]]:
    return [
        {"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size,
         "sha256": a.sha256}
        for a in found
    ]  # fmt: skip


def _evidence(e: dict[str, Any]) -> dict[str, Any]:
    return {"resolver": e["resolver"], "verdict": e["verdict"], "expected": e["expected"],
            "rcode": e["rcode"], "at": format_instant(e["at"])}  # fmt: skip


def review_view(item: contests.Reviewed) -> dict[str, Any]:
    c = item.contest
    return {
        "id": c.id,
        "name": c.name,
        "standing": c.standing,
        "bystander": item.bystander,
        "reason": c.reason,
        "contact": c.contact,
        "orders": [
            {"id": o.id, "reference": o.terms.reference, "authority": o.terms.authority}
            for o in item.orders
        ],
        "state": c.state,
        "received_at": format_instant(c.received_at),
        "due_at": format_instant(c.due_at),
        "age_hours": round(item.age.total_seconds() / 3600, 2),
        "hours_left": round(item.left.total_seconds() / 3600, 2),
        "overdue": item.overdue,
        "decided_at": _when(c.decided_at),
        "decided_by": c.decided_by,
        "decision": c.decision,
        "evidence": [
            {
                "resolver": e["resolver"],
                "verdict": e["verdict"],
                "expected": e["expected"],
                "rcode": e["rcode"],
                "at": format_instant(e["at"]),
            }
            for e in item.evidence
        ],
        "attachments": _attachments(item.attachments),
    }


def counts_view(found: contests.Counts, orders: dict[int, dict[str, int]]) -> dict[str, Any]:
    return {
        "received": found.received,
        "pending": found.pending,
        "outcomes": found.outcomes,
        "median_hours_to_decision": found.median_hours,
        "per_order": {str(k): v for k, v in orders.items()},
    }


def mailing(rt: Runtime) -> contests.Mailing:
    return contests.Mailing(rt.settings.contest_mail, rt.settings.public_url)


def _decoded(files: list[AttachmentIn]) -> tuple[tuple[Attachment, ...], list[str]]:
    found, problems = [], []
    for number, file in enumerate(files, 1):
        try:
            content = base64.b64decode(file.content, validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"attachment {number} ({file.filename!r}): content is not base64")
            continue
        found.append(Attachment(file.filename, file.media_type, content))
    return tuple(found), problems


@router.get(
    "/api/contests/challenge",
    summary="A proof-of-work challenge, to send with a contest",
    response_model=ChallengeOut,
)
def challenge(rt: Rt) -> dict[str, Any]:
    """Find a decimal counter N such that SHA-256 of `<challenge>:<N>` (ASCII) starts with
    `bits` zero bits, and send both with the contest. No token, no account: the work
    bounds how many contests one sender makes, without knowing who sends."""
    limits = rt.settings.contests
    return {
        "challenge": contests.new_challenge(rt.settings.challenge_key, rt.clock.now(), limits),
        "bits": limits.pow_bits,
        "expires_in": int(limits.pow_lifetime.total_seconds()),
    }


@router.post(
    "/api/contests",
    summary="Contest the block of a name (no token)",
    status_code=201,
    response_model=ReceiptOut,
    responses=contract.problems(429),
)
def submit(body: ContestIn, rt: Rt) -> JSONResponse:
    """Received whole or refused with every reason and nothing stored. The answer is the
    receipt: keep `secret` (shown once) — `follow_up` shows the state and the outcome.
    Nothing about the connection is kept."""
    files, problems = _decoded(body.attachments)
    if problems:
        raise InvalidContest("the contest was not received; nothing was stored", problems)
    claim = Claim(body.name, body.standing.value, body.reason, body.contact, files)
    proof = contests.Proof(body.proof.challenge, body.proof.answer)
    with rt.begin() as conn:
        receipt = contests.submit(
            conn, claim, proof, rt.settings.challenge_key, rt.clock.now(),
            rt.settings.contests, mailing(rt),
        )  # fmt: skip
    path = follow_path(receipt.id, receipt.secret)
    return JSONResponse(
        {
            "id": receipt.id,
            "secret": receipt.secret,
            "follow_up": rt.settings.public_url + path,
            "name": receipt.name,
            "received_at": format_instant(receipt.received_at),
            "due_at": format_instant(receipt.due_at),
            "orders": list(receipt.orders),
        },
        201,
        headers={"Cache-Control": "no-store"},  # it holds the secret
    )


@router.get(
    "/api/contests/follow/{contest_id}/{secret}",
    summary="A contest's state and outcome, for whoever holds its secret",
    response_model=FollowOut,
)
def follow(contest_id: Id, secret: Annotated[str, Path(max_length=100)], rt: Rt) -> Any:
    with rt.read() as conn:
        found = contests.follow(conn, contest_id, secret)
    c = found.contest
    return {
        "id": c.id,
        "name": c.name,
        "state": c.state,
        "received_at": format_instant(c.received_at),
        "due_at": format_instant(c.due_at),
        "decided_at": _when(c.decided_at),
        "decision": c.decision,
        "attachments": _attachments(found.attachments),
    }


@router.get(
    "/api/public/contests",
    summary="Contests, counted: per order, outcomes, median time to decision",
    response_model=CountsOut,
)
def public_counts(rt: Rt) -> dict[str, Any]:
    """Counts only: never a name, a reason or anything a claimant wrote."""
    with rt.read() as conn:
        return counts_view(contests.counts(conn), contests.per_order(conn))


@router.get("/api/contests", summary="The contests to review", response_model=list[ReviewOut])
def review_queue(
    rt: Rt, principal: Overseer, all: Annotated[bool, Query()] = False
) -> list[dict[str, Any]]:
    """Pending contests, soonest due first, each with the orders that block its name,
    its age against its deadline and what probing saw of the name lately; `?all=true`:
    every contest, newest first."""
    with rt.read() as conn:
        return [review_view(r) for r in contests.queue(conn, rt.clock.now(), not all)]


@router.get("/api/contests/{contest_id}", summary="One contest", response_model=ReviewOut)
def review(contest_id: Id, rt: Rt, principal: Overseer) -> dict[str, Any]:
    with rt.read() as conn:
        return review_view(contests.review(conn, contest_id, rt.clock.now()))


@router.get(
    "/api/contests/{contest_id}/attachments/{attachment_id}",
    summary="A contest's attachment (as a download, never a page)",
    response_class=Response,
    responses=contract.download(ACCEPTED, "The file, typed by its content."),
)
def attachment(contest_id: Id, attachment_id: Id, rt: Rt, principal: Overseer) -> Response:
    with rt.read() as conn:
        meta, content = contests.attachment(conn, contest_id, attachment_id)
    return download(meta, content)


@router.post(
    "/api/contests/{contest_id}/decision",
    summary="Decide a contest: uphold, remove, allow-list, or refer",
    response_model=DecidedOut,
    responses=contract.problems(409),
)
def decide(contest_id: Id, body: DecisionIn, rt: Rt, principal: Writer) -> Any:
    """`removed` amends every order that names it (a lift if it was its last name);
    `allowed` puts it on the allow-list; both reach the resolvers as any change. The
    reason is what the claimant reads."""
    with rt.begin() as conn:
        now = rt.clock.now()
        done = contests.decide(conn, contest_id, body.outcome.value, body.reason, now,
                               principal.actor, mailing(rt))  # fmt: skip
        view = review_view(contests.review(conn, contest_id, now))
    return view | {"changes": list(done.changes)}
