"""`/api/orders`: register, amend, lift, list and show orders.

Writes accept `?dry_run=true`: the change is made by the same code in a transaction that
is rolled back, and the answer says what it would do (`plan`). They also accept an
`Idempotency-Key` header: the same key from the same token gets the first answer again
(`Idempotency-Replayed: true`), and the same key with a different request is a 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from arret import views
from arret.api.contract import problems
from arret.api.schemas import (
    AmendedOut,
    AmendIn,
    LiftedOut,
    LiftIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    RegisteredOut,
    TargetIn,
    TargetsPageOut,
)
from arret.domain.access import Principal
from arret.domain.lifecycle import OrderDraft, TypedOrder, parse_draft, parse_instants
from arret.domain.model import Order, Status, TargetSpec
from arret.errors import Conflict, Forbidden
from arret.http.deps import OPERATOR_PATTERN, At, Id, Reader, Rt, Writer
from arret.http.runtime import Runtime
from arret.services import queries, registry, tokens

router = APIRouter(prefix="/api/orders", tags=["orders"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to get the first answer instead of a second "
        "change (printable ASCII, at most 200 characters).",
    ),
]
DryRun = Annotated[bool, Query(description="Check and plan the change; write nothing.")]
Confirm = Annotated[
    bool,
    Query(
        description="Apply a change of more names (added and removed) than the server's "
        "confirmation threshold (`--confirm-above`, default 100); without it such a change "
        "is refused with 422 `confirmation_required` (a dry run needs none)."
    ),
]


def order_links() -> dict[str, Any]:
    """What a client can do next with the order in an answer (OpenAPI links)."""
    ask = {"order_id": "$response.body#/id"}
    return {
        "show": {"operationId": "show", "parameters": ask},
        "targets": {"operationId": "targets", "parameters": ask},
        "amend": {"operationId": "amend", "parameters": ask},
        "lift": {"operationId": "lift", "parameters": ask},
        "public": {"operationId": "public_order", "parameters": ask},
    }


def gated(rt: Runtime, confirm: bool, dry_run: bool) -> registry.Confirm:
    return registry.gate(rt.settings.confirm_above, confirm or dry_run,
                         "repeat the request with ?confirm=true to apply it, or "
                         "?dry_run=true to see its plan")  # fmt: skip


def times(**fields: str | None) -> dict[str, datetime | None]:
    """Read every instant given; one error listing each one that cannot be read."""
    return parse_instants(fields)


def specs(targets: list[TargetIn]) -> tuple[TargetSpec, ...]:
    return tuple(TargetSpec(t.name, t.scope, t.action) for t in targets)


def draft_of(body: OrderIn) -> OrderDraft:
    typed = TypedOrder(
        reference=body.reference,
        authority=body.authority,
        decided_on=body.decided_on,
        targets=specs(body.targets),
        operators=tuple(body.operators),
        all_operators=body.all_operators,
        effective_at=body.effective_at or "",
        expires_at=body.expires_at or "",
        duration=body.duration or "",
        requester=body.requester,
        legal_basis=body.legal_basis,
        action=body.action.value,
        confidential=body.confidential,
        notice=body.notice,
    )
    return parse_draft(typed)


#: Targets in one page of `/api/orders/{id}/targets` (and in an order's detail) unless
#: `limit` says otherwise; an order of a million names is read a page at a time.
PAGE = 1000
MAX_PAGE = 10_000


def targets_view(order: Order, page: queries.Targets, limit: int) -> dict[str, Any]:
    """One page of an order's targets (removed ones included, in order of addition), how
    many it has in all, and the URL of the next page (None on the last)."""
    following = f"/api/orders/{order.id}/targets?after={page.next_after}&limit={limit}"
    return {
        "targets": [views.target(order, t) for t in page.targets],
        "targets_total": page.total,
        "targets_next": following if page.next_after is not None else None,
    }


def detail(conn: Connection, order: Order, at: datetime) -> dict[str, Any]:
    """An order at `at`, with the first page of its targets and its history (`order` may
    come without its targets)."""
    found = queries.order_detail(conn, order, at, 0, PAGE)
    return (
        views.order_summary(order, at, found.names)
        | targets_view(order, found.targets, PAGE)
        | {"history": [views.history_entry(*h) for h in found.history]}
    )


def plan(before: Order | None, after: Order) -> dict[str, Any]:
    """What a change does to the order's current names."""
    old = {t.name for t in before.current_targets()} if before else set()
    new = {t.name for t in after.current_targets()}
    return {
        "adds": sorted(new - old),
        "removes": sorted(old - new),
        "expires_at": views.when(after.expires_at),
        "operators": views.operators_of(after),
    }


def _request_digest(request: Request, body: Any) -> str:
    canonical = json.dumps(
        [request.method, request.url.path, body], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def write(
    rt: Runtime,
    request: Request,
    principal: Principal,
    key: str | None,
    dry_run: bool,
    payload: Callable[[], Any],
    change: Callable[[Connection, datetime], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """Run `change` once: for real, as a rehearsal, or not at all when `key` was seen.
    `payload` gives the request as data, read only for an `Idempotency-Key` (a body of a
    million names costs seconds to dump and hash)."""
    now = rt.clock.now()
    if dry_run:
        with rt.rehearse() as conn:
            status, answer = change(conn, now)
        return JSONResponse(answer | {"dry_run": True}, 200)
    digest = _request_digest(request, payload()) if key is not None else ""

    def replay(seen: tuple[str, int, Any]) -> JSONResponse:
        if seen[0] != digest:
            raise Conflict(f"Idempotency-Key {key!r} was already used for a different request")
        return JSONResponse(seen[2], seen[1], headers={"Idempotency-Replayed": "true"})

    try:
        with rt.begin() as conn:
            if key is not None:
                seen = tokens.remembered(conn, principal.token_id, key)
                if seen is not None:
                    return replay(seen)
            status, answer = change(conn, now)
            if key is not None:
                tokens.remember(conn, principal.token_id, key, digest, status, answer, now)
    except IntegrityError:
        # Two first requests with one key at once: the other one's answer was written
        # first, and this transaction (its change included) is rolled back. Answer as a
        # replay of it. Any other integrity error is not ours to explain: re-raised.
        if key is None:
            raise
        with rt.read() as conn:
            seen = tokens.remembered(conn, principal.token_id, key)
        if seen is None:
            raise
        return replay(seen)
    return JSONResponse(answer, status)


@router.post(
    "",
    status_code=201,
    summary="Register an order",
    response_model=RegisteredOut,
    responses={
        200: {"model": RegisteredOut, "description": "A dry run: what it would do"},
        201: {"links": order_links()},
    },
)
def register(
    body: OrderIn,
    request: Request,
    rt: Rt,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
    confirm: Confirm = False,
) -> JSONResponse:
    draft = draft_of(body)
    check = gated(rt, confirm, dry_run)

    def change(conn: Connection, now: datetime) -> tuple[int, dict[str, Any]]:
        order = registry.register_order(conn, draft, now, principal.actor, check)
        return 201, detail(conn, order, now) | {"plan": plan(None, order)}

    return write(rt, request, principal, idempotency_key, dry_run, body.model_dump, change)


@router.get("", summary="List orders", response_model=list[OrderOut], responses=problems(403, 404))
def list_orders(
    rt: Rt,
    principal: Reader,
    status: Status | None = None,
    operator: Annotated[
        str | None,
        Query(
            description="Only the orders addressed to this operator.",
            json_schema_extra={"pattern": OPERATOR_PATTERN},
        ),
    ] = None,
    at: At = None,
) -> list[dict[str, Any]]:
    when = times(at=at)["at"] or rt.clock.now()
    with rt.read() as conn:
        if operator is not None:
            queries.operator(conn, operator)
            if not principal.reads_operator(operator):
                raise Forbidden(f"a {principal.role} token cannot read operator {operator!r}")
        found = queries.orders_at(conn, when, operator, status, principal.reads_order)
    return [views.order_summary(f.order, when, f.names) for f in found]


@router.get(
    "/{order_id}",
    summary="Show an order with its targets and history",
    response_model=OrderDetailOut,
    responses=problems(403),
)
def show(
    order_id: Id,
    rt: Rt,
    principal: Reader,
    at: At = None,
) -> dict[str, Any]:
    when = times(at=at)["at"] or rt.clock.now()
    with rt.read() as conn:
        return detail(conn, queries.order_head(conn, order_id, principal), when)


@router.get(
    "/{order_id}/targets",
    summary="An order's targets, a page at a time",
    response_model=TargetsPageOut,
    responses=problems(403),
)
def targets(
    order_id: Id,
    rt: Rt,
    principal: Reader,
    after: Annotated[
        int,
        Query(
            ge=0, le=2**63 - 1, description="Continue after this position (from `targets_next`)."
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Targets per page.")] = PAGE,
) -> dict[str, Any]:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id, principal)
        page = queries.targets_page(conn, order.id, after, limit)
    return {"id": order.id} | targets_view(order, page, limit)


@router.post(
    "/{order_id}/amend",
    summary="Amend an order (add mirrors, remove names, expiry)",
    response_model=AmendedOut,
)
def amend(
    order_id: Id,
    body: AmendIn,
    request: Request,
    rt: Rt,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
    confirm: Confirm = False,
) -> JSONResponse:
    at = times(expires_at=body.expires_at, at=body.at)
    check = gated(rt, confirm, dry_run)

    def change(conn: Connection, now: datetime) -> tuple[int, dict[str, Any]]:
        # Costs what it changes: neither the order's targets nor its history are read
        # (the answer links to them).
        done = registry.amend_order(
            conn,
            order_id,
            now,
            principal.actor,
            add=specs(body.add),
            remove=body.remove,
            expires_at=at["expires_at"],
            at=at["at"],
            confirm=check,
        )
        event = done.event
        summary = views.order_summary(
            done.order, now, queries.present_names(conn, order_id, now, done.targets)
        )
        return 200, summary | {
            "plan": {
                "adds": sorted(t.name for t in event.added),
                "removes": sorted(event.removed),
                "expires_at": views.when(done.order.expires_at),
                "operators": views.operators_of(done.order),
            },
            "amendment": views.history_entry(done.seq, now, event),
            "targets_total": done.targets,
            "targets_url": f"/api/orders/{order_id}/targets",
        }

    return write(rt, request, principal, idempotency_key, dry_run, body.model_dump, change)


@router.post(
    "/{order_id}/lift", summary="Lift an order before its expiry", response_model=LiftedOut
)
def lift(
    order_id: Id,
    body: LiftIn,
    request: Request,
    rt: Rt,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> JSONResponse:
    at = times(at=body.at)

    def change(conn: Connection, now: datetime) -> tuple[int, dict[str, Any]]:
        # Like an amendment's, the answer costs nothing per target: a lift ends the order
        # and keeps its names (none is added or removed).
        done = registry.lift_order(conn, order_id, now, principal.actor, body.reason, at["at"])
        after = done.order
        total = queries.current_names(conn, order_id)
        count = queries.present_names(conn, order_id, now, total)
        return 200, views.order_summary(after, now, count) | {
            "plan": {
                "adds": [],
                "removes": [],
                "expires_at": views.when(after.expires_at),
                "operators": views.operators_of(after),
            },
            "lift": views.history_entry(done.seq, now, done.event),
            "targets_total": total,
            "targets_url": f"/api/orders/{order_id}/targets",
        }

    return write(rt, request, principal, idempotency_key, dry_run, body.model_dump, change)
