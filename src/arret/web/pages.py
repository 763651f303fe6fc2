"""The web UI: server-rendered pages (Jinja2, autoescaped), each working without
JavaScript. Handlers read the form, call the same services as the API and the CLI, and
render; a refused change re-renders the form with every reason and what was typed.

This module: rendering, the public pages (register, notice, API reference) and logging
in; `arret.web.orders` and `arret.web.operators` hold the pages behind a login."""

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
from markupsafe import Markup
from sqlalchemy import Connection

from arret import views
from arret.domain import text
from arret.errors import ArretError
from arret.http.deps import Id, Rt
from arret.http.runtime import Runtime
from arret.services import contests, documents, log, notice, queries
from arret.services.database import log_public_key
from arret.tlog.signing import key_id
from arret.web import dates, i18n, pow, session

router = APIRouter(include_in_schema=False)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    # Every value is escaped unless a template says otherwise (none does): an order's
    # notice text, reference and names are untrusted input.
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    finalize=lambda value: _shown(value),
)


def _shown(value: Any) -> Any:
    """What a template prints: without bidirectional formatting characters, which could
    reorder the page around an untrusted value. Entry refuses them (`arret.domain.text`);
    this covers text stored before that check, wherever a template shows it."""
    if isinstance(value, str):
        stripped = text.strip_bidi(value)
        return type(value)(stripped) if isinstance(value, Markup) else stripped
    return value


templates = Jinja2Templates(env=_env)


def render_page(
    request: Request, rt: Runtime, template: str, http_status: int = 200, **context: Any
) -> HTMLResponse:
    lang = session.language(request)
    user = context.pop("user", None)
    if user is None and session.KEY in request.session:
        user = session.principal(request, rt)
    base = {
        "lang": lang,
        "_": lambda message: i18n.gettext(lang, message),
        "user": user,
        # Called only by templates with a form: a page without one sets no cookie.
        "csrf": lambda: session.csrf_token(request),
        "flash": session.take_flash(request),
        "when": lambda value: dates.when(value, lang),
        # Plain text, for where markup cannot go (SVG text, attributes).
        "when_text": lambda value: "—" if value is None else dates.readable(value, lang),
        "day": lambda value: dates.day(value, lang),
        "labels": i18n.CONTEST_LABELS,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    return templates.TemplateResponse(request, template, base | context, status_code=http_status)


def error_page(request: Request, rt: Runtime, error: ArretError, status: int) -> Response:
    if isinstance(error, session.LoginRequired) or status == 401:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", 303)
    return render_page(request, rt, "error.html", status, error=error)


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


#: The longest name a search takes (a DNS name is at most 253 characters; a U-label
#: form may be longer before it is encoded).
SEARCH_MAX = 1000


def _search(
    conn: Connection, asked: str | None, now: datetime, order_id: int | None = None
) -> tuple[queries.Search | None, ArretError | None]:
    """The orders that cover the name searched (only `order_id`'s if given), or why what
    was asked is not a name; (None, None) when nothing was searched."""
    if not asked or not asked.strip():
        return None, None
    try:
        return queries.search_name(conn, asked, now, order_id), None
    except ArretError as error:
        return None, error


def _covering(found: queries.Search | None, now: datetime) -> list[dict[str, Any]]:
    if found is None:
        return []
    return [
        views.public_order(c.order, now, 0, []) | {"target": c.target, "scope": c.scope.value}
        for c in found.orders
    ]


@router.get("/register")
def register(
    request: Request,
    rt: Rt,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    name: Annotated[str | None, Query(max_length=SEARCH_MAX)] = None,
) -> Response:
    """The public register a page at a time, newest orders first (`?before=` continues),
    and which orders cover a name (`?name=`)."""
    with rt.read() as conn:
        now = rt.clock.now()
        page = queries.public_register_page(conn, before, queries.REGISTER_PAGE)
        found, problem = _search(conn, name, now)
        head = log.newest_head(conn)
        counted = contests.counts(conn)
    orders = [views.public_order(p.order, now, p.names, p.first_names) for p in page.orders]
    key = log_public_key(rt.engine)
    shown = None if head is None else {
        "size": head.size, "root": head.root_hash.hex(), "signed_at": views.when(head.timestamp),
        "key_id": key_id(key),
    }  # fmt: skip
    older = None if page.next_before is None else f"/register?before={page.next_before}"
    return render_page(request, rt, "register.html", orders=orders, total=page.total,
                  older=older, newest="/register" if before is not None else None,
                  search=name or "", found=found, covering=_covering(found, now),
                  problem=problem, log=shown, public_url=rt.settings.public_url,
                  contest_counts=counted)  # fmt: skip


#: Names listed per page of an order in the public register (`?after=` continues).
REGISTER_PAGE = 1000


@router.get("/register/{order_id}")
def register_order(
    order_id: Id,
    request: Request,
    rt: Rt,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    name: Annotated[str | None, Query(max_length=SEARCH_MAX)] = None,
) -> Response:
    """An order in the public register: its terms, a page of its names (`?after=`
    continues), whether one of them covers a name (`?name=`), and its timeline."""
    now = rt.clock.now()
    with rt.read() as conn:
        found = queries.public_order(conn, order_id, after, REGISTER_PAGE)
        contested = contests.order_counts(conn, order_id)
        confidential = found.order.terms.confidential
        searched, problem = (None, None) if confidential else _search(conn, name, now, order_id)
        carried = documents.of_order(conn, order_id)
    order, names = found.order, found.names
    following = (
        None if names.next_after is None else f"/register/{order_id}?after={names.next_after}"
    )
    return render_page(
        request,
        rt,
        "public_order.html",
        order=views.public_order(order, now, names.count, names.names or []),
        names_next=following,
        order_contests=contested,
        names_first=f"/register/{order_id}" if after > 0 else None,
        search="" if confidential else (name or ""),
        found=searched,
        problem=problem,
        timeline=views.timeline(order, found.history, now, not confidential, found.counts),
        documents=[views.document(d, not confidential) for d in carried],
    )


def notice_page(
    request: Request,
    rt: Rt,
    name: str | None,
    contest: dict[str, Any] | None = None,
    refused: ArretError | None = None,
    http_status: int = 200,
) -> Response:
    """Which order blocks `name`, in the visitor's language, and the form to contest it
    (`contest`: what was typed, when a contest was `refused`). Nothing about the visitor
    is logged or kept (the server runs without an access log)."""
    answer, problem = None, None
    if name:
        try:
            with rt.read() as conn:
                answer = notice.lookup(conn, name, rt.clock.now())
        except ArretError as error:
            problem = error
    limits = rt.settings.contests
    page = render_page(
        request, rt, "notice.html", http_status, name=name or "", answer=answer,
        problem=problem, standings=contests.standings(), refused=refused,
        contest=contest or {"standing": "", "reason": "", "contact": ""},
        challenge=contests.new_challenge(rt.settings.challenge_key, rt.clock.now(), limits),
        bits=limits.pow_bits, pow_script=Markup(pow.SCRIPT),
    )  # fmt: skip
    if answer is not None and answer.blocks:
        page.headers["Content-Security-Policy"] = pow.CSP
    return page


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
    return render_page(request, rt, "api_docs.html", spec=request.app.openapi())


@router.get("/lang/{code}")
def switch_language(rt: Rt, code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next or "/register"), 303)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            session.LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax",
            secure=session.secure(rt),
        )  # fmt: skip
    return response


# --- logging in -------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, rt: Rt, next: str | None = None) -> Response:
    # No `next`: after login each role goes to its own start page (see `login`).
    return render_page(request, rt, "login.html", next=safe_next(next) if next else "", error=None)


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
        return render_page(request, rt, "login.html", 401, next=shown, error=error)
    default = f"/operators/{found.role.operator}" if found.role.operator else "/orders"
    return RedirectResponse(safe_next(next) if next else default, 303)


@router.post("/logout")
def logout(request: Request, rt: Rt, csrf: Annotated[str, Form()] = "") -> Response:
    session.check_csrf(request, csrf)
    session.log_out(request, rt)
    return RedirectResponse("/register", 303)
