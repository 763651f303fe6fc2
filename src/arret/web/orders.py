"""The authority's pages: the list of orders with filters, an order's page with its
timeline, registration with every error inline, amend and lift, and plan-then-apply for
large changes. Auditors and operators read (operators: the orders addressed to them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from arret import views
from arret.domain.access import Principal
from arret.domain.instants import parse_instant
from arret.domain.lifecycle import OrderDraft, TypedOrder, parse_draft, parse_target_lines
from arret.domain.model import STATUSES, Action, Scope, Status, TargetSpec
from arret.errors import ArretError, Forbidden, InvalidOrder, InvalidTargets, InvalidTime
from arret.http.deps import Id, Rt
from arret.http.runtime import Runtime
from arret.services import documents, queries, registry
from arret.web import session
from arret.web.pages import render_page

router = APIRouter(include_in_schema=False)


#: How a change above the threshold is confirmed here (the gate's advice, should the
#: plan page be skipped by a hand-made form).
CONFIRM_HOW = "confirm the change on its plan page"


@router.get("/orders")
def orders(
    request: Request,
    rt: Rt,
    status: str = "",
    operator: str = "",
    at: str = "",
) -> Response:
    user = session.require(request, rt)
    problem = None
    try:
        when_at = parse_instant(at) if at else rt.clock.now()
    except InvalidTime as error:
        problem, when_at = error, rt.clock.now()
    with rt.read() as conn:
        operators = [op.name for op in queries.operators(conn) if user.reads_operator(op.name)]
        chosen = operator if operator in operators else None
        found = queries.orders_at(conn, when_at, chosen, STATUSES.get(status), user.reads_order)
    rows = [views.order_summary(f.order, when_at, f.names) for f in reversed(found)]
    return render_page(
        request,
        rt,
        "orders.html",
        user=user,
        rows=rows,
        operators=operators,
        statuses=list(STATUSES),
        filters={"status": status, "operator": operator, "at": at},
        problem=problem,
    )


def _authority(request: Request, rt: Runtime) -> Principal:
    user = session.require(request, rt)
    if not user.writes:
        raise Forbidden(f"a {user.role} login cannot change the registry")
    return user


def _operator_names(rt: Runtime) -> list[str]:
    with rt.read() as conn:
        return [op.name for op in queries.operators(conn)]


NEW_ORDER_DEFAULTS = {
    "reference": "",
    "authority": "",
    "requester": "",
    "decided_on": "",
    "legal_basis": "",
    "effective_at": "",
    "duration": "18mo",
    "expires_at": "",
    "targets": "",
    "exact": "",
    "operators": [],
    "all_operators": "",
    "action": "nxdomain",
    "confidential": "",
    "notice": "",
}


@router.get("/orders/new")
def new_order(request: Request, rt: Rt) -> Response:
    user = _authority(request, rt)
    return _order_form(request, rt, user, dict(NEW_ORDER_DEFAULTS), None)


def _order_form(
    request: Request,
    rt: Runtime,
    user: Principal,
    form: dict[str, Any],
    error: ArretError | None,
    status: int = 200,
) -> Response:
    target_errors: list[str] = []
    other_errors: list[str] = []
    if isinstance(error, InvalidTargets):
        target_errors = list(error.reasons)
    elif error is not None:
        # Reasons about a name quote it first (`'fr': a public suffix…`): shown under the
        # names box; the rest above the form.
        for reason in error.reasons or (error.summary,):
            (target_errors if reason.startswith("'") else other_errors).append(reason)
    return render_page(
        request,
        rt,
        "order_new.html",
        status,
        user=user,
        form=form,
        error=error,
        target_errors=target_errors,
        other_errors=other_errors,
        operators=_operator_names(rt),
        actions=[a.value for a in Action],
    )


#: How the form's errors name each field: by its label.
FORM_NAMES = {
    "reference": "case reference",
    "authority": "issuing authority",
    "decided_on": "date of the decision",
    "effective_at": "takes effect at",
    "expires_at": "expires at",
    "duration": "duration",
    "action": "action",
}


def _draft(form: dict[str, Any]) -> OrderDraft:
    scope = Scope.EXACT if form["exact"] else Scope.SUBTREE
    problems: list[str] = []
    targets: tuple[TargetSpec, ...] = ()
    try:
        targets = tuple(parse_target_lines(form["targets"], scope, "line"))
    except InvalidTargets as error:
        problems += error.reasons
    typed = TypedOrder(
        reference=form["reference"],
        authority=form["authority"],
        decided_on=form["decided_on"],
        targets=targets,
        operators=tuple(form["operators"]),
        all_operators=bool(form["all_operators"]),
        effective_at=form["effective_at"],
        expires_at=form["expires_at"],
        # The form offers both; an expiry typed wins over the duration's default.
        duration="" if form["expires_at"].strip() else form["duration"],
        requester=form["requester"],
        legal_basis=form["legal_basis"],
        action=form["action"],
        confidential=bool(form["confidential"]),
        notice=form["notice"],
    )
    return parse_draft(typed, FORM_NAMES, problems)


@router.post("/orders/new")
def create_order(
    request: Request,
    rt: Rt,
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    authority: Annotated[str, Form()] = "",
    requester: Annotated[str, Form()] = "",
    decided_on: Annotated[str, Form()] = "",
    legal_basis: Annotated[str, Form()] = "",
    effective_at: Annotated[str, Form()] = "",
    duration: Annotated[str, Form()] = "",
    expires_at: Annotated[str, Form()] = "",
    targets: Annotated[str, Form()] = "",
    exact: Annotated[str, Form()] = "",
    operators: Annotated[list[str] | None, Form()] = None,
    all_operators: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "nxdomain",
    confidential: Annotated[str, Form()] = "",
    notice: Annotated[str, Form()] = "",
) -> Response:
    user = _authority(request, rt)
    session.check_csrf(request, csrf)
    form = {
        "reference": reference,
        "authority": authority,
        "requester": requester,
        "decided_on": decided_on,
        "legal_basis": legal_basis,
        "effective_at": effective_at,
        "duration": duration,
        "expires_at": expires_at,
        "targets": targets,
        "exact": exact,
        "operators": operators or [],
        "all_operators": all_operators,
        "action": action,
        "confidential": confidential,
        "notice": notice,
    }
    now = rt.clock.now()
    gate = registry.gate(rt.settings.confirm_above, bool(confirm), CONFIRM_HOW)
    try:
        draft = _draft(form)
        # The plan is shown whole, however large: the rehearsal is not asked to confirm.
        with rt.rehearse() as conn:
            planned = registry.register_order(conn, draft, now, user.actor, registry.planning)
        names = [t.name for t in planned.current_targets()]
        if registry.needs_confirmation(len(names), 0, rt.settings.confirm_above) and not confirm:
            return render_page(
                request, rt, "plan.html", user=user, form=form, adds=names, removes=[],
                action_url="/orders/new", order=None,
            )  # fmt: skip
        with rt.begin() as conn:
            order = registry.register_order(conn, draft, now, user.actor, gate)
    except ArretError as error:
        return _order_form(request, rt, user, form, error, 422)
    session.flash(request, "The order was registered.")
    return RedirectResponse(f"/orders/{order.id}", 303)


#: Targets listed per page of an order's page (`?after=` continues).
TARGETS_PER_PAGE = 1000


def _order_page(
    request: Request,
    rt: Runtime,
    user: Principal,
    order_id: int,
    status: int = 200,
    after: int = 0,
    **extra: Any,
) -> Response:
    now = rt.clock.now()
    with rt.read() as conn:
        order = queries.order_head(conn, order_id, user)
        found = queries.order_detail(
            conn, order, now, after, TARGETS_PER_PAGE, step_names=queries.STEP_NAMES
        )
        carried = documents.of_order(conn, order_id)
    page = found.targets
    context = {
        "amend_form": {"add": "", "remove": "", "expires_at": "", "exact": ""},
        "lift_form": {"reason": ""},
        "document_form": {"kind": "decision", "target": "", "captured_at": "", "captured_by": ""},
        "amend_error": None,
        "lift_error": None,
        "document_error": None,
    } | extra
    return render_page(
        request,
        rt,
        "order.html",
        status,
        user=user,
        order=views.order_summary(order, now, found.names),
        targets=[views.target(order, t) for t in page.targets],
        targets_total=page.total,
        targets_next=None
        if page.next_after is None
        else f"/orders/{order_id}?after={page.next_after}",
        targets_paged=after > 0 or page.next_after is not None,
        timeline=views.timeline(order, found.history, now, True, found.counts),
        documents=[views.document(d) for d in carried],
        can_change=user.writes and order.status_at(now) in (Status.SCHEDULED, Status.IN_FORCE),
        **context,
    )


@router.get("/orders/{order_id}")
def order_page(
    order_id: Id,
    request: Request,
    rt: Rt,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> Response:
    user = session.require(request, rt)
    return _order_page(request, rt, user, order_id, after=after)


@router.post("/orders/{order_id}/amend")
def amend_order(
    order_id: Id,
    request: Request,
    rt: Rt,
    csrf: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    add: Annotated[str, Form()] = "",
    remove: Annotated[str, Form()] = "",
    expires_at: Annotated[str, Form()] = "",
    exact: Annotated[str, Form()] = "",
) -> Response:
    user = _authority(request, rt)
    session.check_csrf(request, csrf)
    form = {"add": add, "remove": remove, "expires_at": expires_at, "exact": exact}
    now = rt.clock.now()
    scope = Scope.EXACT if exact else Scope.SUBTREE
    try:
        added = parse_target_lines(add, scope, "line")
        removed = remove.split()
        new_expiry = parse_instant(expires_at) if expires_at.strip() else None

        def change(conn: Any, check: registry.Confirm) -> registry.Amended:
            return registry.amend_order(conn, order_id, now, user.actor, added, removed,
                                        new_expiry, confirm=check)  # fmt: skip

        with rt.rehearse() as conn:
            planned = change(conn, registry.planning)
        # The amendment's own names: exactly those it adds and removes (the planning
        # refuses a name added twice or removed without being there).
        gone = sorted(planned.event.removed)
        new = sorted(t.name for t in planned.event.added)
        if (
            registry.needs_confirmation(len(new), len(gone), rt.settings.confirm_above)
            and not confirm
        ):
            return render_page(
                request, rt, "plan.html", user=user, form=form, adds=new, removes=gone,
                action_url=f"/orders/{order_id}/amend", order=order_id,
            )  # fmt: skip
        with rt.begin() as conn:
            change(conn, registry.gate(rt.settings.confirm_above, bool(confirm), CONFIRM_HOW))
    except ArretError as error:
        return _order_page(
            request, rt, user, order_id, amend_form=form, amend_error=error, status=422
        )
    session.flash(request, "The order was amended.")
    return RedirectResponse(f"/orders/{order_id}", 303)


@router.post("/orders/{order_id}/lift")
def lift_order(
    order_id: Id,
    request: Request,
    rt: Rt,
    csrf: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    user = _authority(request, rt)
    session.check_csrf(request, csrf)
    try:
        if not reason.strip():
            raise InvalidOrder(["a lift needs its reason (it is public)"], "lift refused")
        with rt.begin() as conn:
            registry.lift_order(conn, order_id, rt.clock.now(), user.actor, reason.strip())
    except ArretError as error:
        return _order_page(
            request, rt, user, order_id, lift_form={"reason": reason}, lift_error=error,
            status=422,
        )  # fmt: skip
    session.flash(request, "The order was lifted.")
    return RedirectResponse(f"/orders/{order_id}", 303)


#: For the document pages (`arret.web.documents`), which answer from an order's page too.
require_authority = _authority
order_page_of = _order_page
