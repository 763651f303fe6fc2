"""The web UI: server-rendered pages (Jinja2, autoescaped), each working without
JavaScript. Handlers read the form, call the same services as the API and the CLI, and
render; a refused change re-renders the form with every reason and what was typed."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from arret import views
from arret.api.deps import Rt
from arret.api.public import public_listing
from arret.api.runtime import Runtime
from arret.domain.access import Principal
from arret.domain.instants import parse_date, parse_duration, parse_instant
from arret.domain.lifecycle import OrderDraft, parse_target_lines
from arret.domain.model import Action, Order, Scope, Status, TargetSpec
from arret.errors import ArretError, Forbidden, InvalidOrder, InvalidTargets, InvalidTime
from arret.rpz.resolvers import Resolver, snippet
from arret.rpz.zone import FeedSettings
from arret.services import notice, registry
from arret.services.status import changes_since, feed_status
from arret.store import keys as store_keys
from arret.store import registry as store
from arret.web import i18n, session

router = APIRouter(include_in_schema=False)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    # Every value is escaped unless a template says otherwise (none does): an order's
    # notice text, reference and names are untrusted input.
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
templates = Jinja2Templates(env=_env)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "—"


def render(
    request: Request, rt: Runtime, template: str, http_status: int = 200, **context: Any
) -> HTMLResponse:
    lang = session.language(request)
    user = context.pop("user", None)
    if user is None and "token_id" in request.session:
        user = session.principal(request, rt)
    base = {
        "lang": lang,
        "_": lambda message: i18n.gettext(lang, message),
        "user": user,
        # Called only by templates with a form: a page without one sets no cookie.
        "csrf": lambda: session.csrf_token(request),
        "flash": session.take_flash(request),
        "when": when,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    return templates.TemplateResponse(request, template, base | context, status_code=http_status)


def error_page(request: Request, rt: Runtime, error: ArretError, status: int) -> Response:
    if isinstance(error, session.LoginRequired) or status == 401:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", 303)
    return render(request, rt, "error.html", status, error=error)


def safe_next(target: str | None) -> str:
    """Only a local path: a login form must not become an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/orders"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- public pages ---------------------------------------------------------------------


@router.get("/")
def home(request: Request, rt: Rt) -> Response:
    host = request.headers.get("host", "")
    if notice.checked_host(host) == rt.settings.notice_host:
        return notice_page(request, rt, request.query_params.get("name"))
    return RedirectResponse("/register", 303)


@router.get("/register")
def register(request: Request, rt: Rt) -> Response:
    with rt.read() as conn:
        orders = public_listing(conn, rt.clock.now())
    return render(request, rt, "register.html", orders=orders[::-1])


@router.get("/register/{order_id}")
def register_order(order_id: int, request: Request, rt: Rt) -> Response:
    now = rt.clock.now()
    with rt.read() as conn:
        order = store.load_order(conn, order_id)
        history = store.history(conn, order_id)
    reveal = not order.terms.confidential
    names = [t.name for t in order.current_targets()]
    return render(
        request,
        rt,
        "public_order.html",
        order=views.public_order(order, now, len(names), names),
        timeline=views.timeline(order, history, now, reveal),
    )


def notice_page(request: Request, rt: Rt, name: str | None) -> Response:
    """Which order blocks `name`, in the visitor's language. Nothing about the visitor is
    logged or kept (the server runs without an access log)."""
    answer, problem = None, None
    if name:
        try:
            with rt.read() as conn:
                answer = notice.lookup(conn, name, rt.clock.now())
        except ArretError as error:
            problem = error
    return render(request, rt, "notice.html", name=name or "", answer=answer, problem=problem)


@router.get("/notice")
def notice_route(
    request: Request, rt: Rt, name: Annotated[str | None, Query(max_length=1000)] = None
) -> Response:
    return notice_page(request, rt, name)


def foreign_host(request: Request, rt: Runtime) -> str | None:
    """The name in `Host` when it is not this server's own (a blocked name whose visitors
    the resolvers sent here): the notice page answers for it, whatever the path."""
    raw = request.headers.get("host", "")
    hostname = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
    try:
        ipaddress.ip_address(hostname.strip("[]"))
        return None
    except ValueError:
        pass
    name = notice.checked_host(raw)
    if name is None or name in rt.settings.own_hosts or name == rt.settings.notice_host:
        return None
    return name


@router.get("/api/docs")
def api_docs(request: Request, rt: Rt) -> Response:
    """The API's reference, rendered from its OpenAPI document (no script, no CDN)."""
    return render(request, rt, "api_docs.html", spec=request.app.openapi())


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next or "/register"), 303)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            session.LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax"
        )
    return response


# --- logging in -------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, rt: Rt, next: str | None = None) -> Response:
    # No `next`: after login each role goes to its own start page (see `login`).
    return render(request, rt, "login.html", next=safe_next(next) if next else "", error=None)


@router.post("/login")
def login(
    request: Request,
    rt: Rt,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    session.check_csrf(request, csrf)
    try:
        found = session.log_in(request, rt, token)
    except ArretError as error:
        shown = safe_next(next) if next else ""
        return render(request, rt, "login.html", 401, next=shown, error=error)
    default = f"/operators/{found.role.operator}" if found.role.operator else "/orders"
    return RedirectResponse(safe_next(next) if next else default, 303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    session.check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/register", 303)


# --- orders -----------------------------------------------------------------------------


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
        operators = [op.name for op in store.list_operators(conn) if user.reads_operator(op.name)]
        chosen = operator if operator in operators else None
        found = [
            o
            for o in store.list_orders(conn, chosen)
            if o.registered_at <= when_at and user.reads_order(o)
        ]
        counts = store.present_target_counts(conn, when_at)
    if status in {s.value for s in Status}:
        found = [o for o in found if o.status_at(when_at).value == status]
    rows = [views.order_summary(o, when_at, counts.get(o.id, 0)) for o in reversed(found)]
    return render(
        request,
        rt,
        "orders.html",
        user=user,
        rows=rows,
        operators=operators,
        statuses=[s.value for s in Status],
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
        return [op.name for op in store.list_operators(conn)]


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
    return render(
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


def _draft(form: dict[str, Any]) -> OrderDraft:
    scope = Scope.EXACT if form["exact"] else Scope.SUBTREE
    problems: list[str] = []
    targets: tuple[TargetSpec, ...] = ()
    try:
        targets = tuple(parse_target_lines(form["targets"], scope, "line"))
    except InvalidTargets as error:
        problems += error.reasons

    def read(label: str, parse: Any, text: str) -> Any:
        if not text.strip():
            return None
        try:
            return parse(text)
        except InvalidTime as error:
            problems.append(f"{label}: {error.summary}")
            return None

    decided = read("date of the decision", parse_date, form["decided_on"])
    if not form["decided_on"].strip():
        problems.append("the date of the decision is required")
    effective = read("takes effect at", parse_instant, form["effective_at"])
    expires = read("expires at", parse_instant, form["expires_at"])
    duration = read("duration", parse_duration, form["duration"]) if not expires else None
    actions = {a.value: a for a in Action}
    if form["action"] not in actions:
        problems.append(f"unknown action {form['action']!r} (one of: {', '.join(actions)})")
    if problems:
        raise InvalidOrder(problems)
    return OrderDraft(
        reference=form["reference"],
        authority=form["authority"],
        decided_on=decided,
        targets=targets,
        operators=tuple(form["operators"]),
        all_operators=bool(form["all_operators"]),
        effective_at=effective,
        expires_at=expires,
        duration=duration,
        requester=form["requester"],
        legal_basis=form["legal_basis"],
        action=actions[form["action"]],
        confidential=bool(form["confidential"]),
        notice=form["notice"],
    )


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
    try:
        draft = _draft(form)
        with rt.rehearse() as conn:
            planned = registry.register_order(conn, draft, now, user.actor)
        names = [t.name for t in planned.current_targets()]
        if len(names) > rt.settings.confirm_above and not confirm:
            return render(
                request, rt, "plan.html", user=user, form=form, adds=names, removes=[],
                action_url="/orders/new", order=None,
            )  # fmt: skip
        with rt.begin() as conn:
            order = registry.register_order(conn, draft, now, user.actor)
    except ArretError as error:
        return _order_form(request, rt, user, form, error, 422)
    session.flash(request, "The order was registered.")
    return RedirectResponse(f"/orders/{order.id}", 303)


def _order_page(
    request: Request, rt: Runtime, user: Principal, order_id: int, status: int = 200, **extra: Any
) -> Response:
    now = rt.clock.now()
    with rt.read() as conn:
        order = store.load_order(conn, order_id)
        if not user.reads_order(order):
            raise Forbidden(f"order {order_id} is not addressed to {user.role.operator}")
        history = store.history(conn, order_id)
    context = {
        "amend_form": {"add": "", "remove": "", "expires_at": "", "exact": ""},
        "lift_form": {"reason": ""},
        "amend_error": None,
        "lift_error": None,
    } | extra
    return render(
        request,
        rt,
        "order.html",
        status,
        user=user,
        order=views.order_summary(order, now, len(order.targets_at(now))),
        targets=[views.target(order, t) for t in order.targets],
        timeline=views.timeline(order, history, now, True),
        can_change=user.writes and order.status_at(now) in (Status.SCHEDULED, Status.IN_FORCE),
        **context,
    )


@router.get("/orders/{order_id}")
def order_page(order_id: int, request: Request, rt: Rt) -> Response:
    user = session.require(request, rt)
    return _order_page(request, rt, user, order_id)


@router.post("/orders/{order_id}/amend")
def amend_order(
    order_id: int,
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

        def change(conn: Any) -> tuple[Order, Order]:
            before = store.load_order(conn, order_id)
            after = registry.amend_order(
                conn, order_id, now, user.actor, added, removed, new_expiry
            )
            return before, after

        with rt.rehearse() as conn:
            before, after = change(conn)
        gone = sorted(
            {t.name for t in before.current_targets()} - {t.name for t in after.current_targets()}
        )
        if len(gone) > rt.settings.confirm_above and not confirm:
            new = sorted(
                {t.name for t in after.current_targets()}
                - {t.name for t in before.current_targets()}
            )
            return render(
                request, rt, "plan.html", user=user, form=form, adds=new, removes=gone,
                action_url=f"/orders/{order_id}/amend", order=order_id,
            )  # fmt: skip
        with rt.begin() as conn:
            change(conn)
    except ArretError as error:
        return _order_page(
            request, rt, user, order_id, amend_form=form, amend_error=error, status=422
        )
    session.flash(request, "The order was amended.")
    return RedirectResponse(f"/orders/{order_id}", 303)


@router.post("/orders/{order_id}/lift")
def lift_order(
    order_id: int,
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


# --- an operator's page -------------------------------------------------------------------

#: The operator's page lists at most this many names (the API gives all of them).
SHOWN_NAMES = 1000


@router.get("/operators/{name}")
def operator_page(
    name: str,
    request: Request,
    rt: Rt,
    since: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    user = session.require(request, rt)
    now = rt.clock.now()
    problem = None
    with rt.read() as conn:
        store.get_operator(conn, name)
        if not user.reads_operator(name):
            raise Forbidden(f"a {user.role} login cannot read operator {name!r}")
        status = feed_status(conn, name)
        policy = registry.policy_for(conn, name, now)
        try:
            since_serial = int(since) if since.strip() else None
            changes = changes_since(conn, name, since_serial, limit=20)
        except ValueError:
            problem, changes = f"{since!r} is not a serial number", []
        except ArretError as error:
            problem, changes = error.summary, []
        valid = [k for k in store_keys.keys(conn, name) if k.valid_at(now)]
    last = rt.feed.stats.last.get(name) if rt.feed is not None else None
    snippets = {
        r.value: snippet(
            r,
            name,
            valid[-1] if valid else None,
            rt.settings.dns_endpoint,
            FeedSettings(),
            "/var/lib/arret",
            rt.settings.public_url.rstrip("/") + "/register",
        )
        for r in Resolver
    }
    return render(
        request,
        rt,
        "operator.html",
        user=user,
        operator=name,
        zone=FeedSettings().zone(name),
        status=status,
        last=last,
        rules=policy.rules[:SHOWN_NAMES],
        total=len(policy.rules),
        changes=changes,
        since=since,
        problem=problem,
        snippets=snippets,
    )
