"""The HTTP application: REST API under `/api` (OpenAPI at `/api/docs`), the web UI, the
public register, the notice page, `/healthz` and `/metrics` — built from a `Runtime`,
never at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Match

from arret import __version__
from arret.api import contests as contest_api
from arret.api import contract, operators, orders, public
from arret.api import documents as document_api
from arret.api import log as log_api
from arret.errors import ArretError, NotFound
from arret.http import errors, head, limits, memory
from arret.http.runtime import Runtime
from arret.services.database import classify
from arret.web import contests as contest_pages
from arret.web import documents as document_pages
from arret.web import operators as operator_pages
from arret.web import orders as order_pages
from arret.web import pages, session

log = logging.getLogger("arret.api")

API_DESCRIPTION = """Arrêt carries legal DNS blocking orders from the authority to every
addressed resolver. Send a token from `arret token create` as `Authorization: Bearer …`.
Roles: `authority` writes; `auditor` reads everything; `operator:NAME` reads its own feed
and the orders addressed to it; without a token, only the public register, the notice
lookup, `/healthz` and `/metrics`.

Every error has one shape: `{"error": {"status", "code", "message", "reasons": [...]}}`.
"""


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path in ("/healthz", "/metrics")


def allowed(app: FastAPI, request: Request) -> dict[str, str]:
    """`Allow` for a 405 (RFC 9110 §15.5.6): the methods of every route at the request's
    path, not only those of the first one the router tried (GET and POST of one path are
    two routes); HEAD wherever GET is (`http.head`)."""
    methods: set[str] = set()
    for route in contract.every_route(app.router.routes):
        found = getattr(route, "methods", None)
        if found and route.matches(request.scope)[0] is not Match.NONE:
            methods |= found
    if "GET" in methods:
        methods.add("HEAD")
    return {"Allow": ", ".join(sorted(methods))}


def create_app(rt: Runtime, settled: Callable[[int], None] | None = None) -> FastAPI:
    """The application. `settled` hears, once the server has been idle long enough to give
    a burst's memory back, how many requests were in flight at once at most meanwhile
    (`arret.http.memory.GiveBackMemory`)."""
    app = FastAPI(
        title="Arrêt",
        version=__version__,
        description=API_DESCRIPTION,
        # The interactive Swagger page would load its scripts from a CDN: every reader's
        # browser would call a third party. /api/docs is rendered here instead.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # An operation is named after its handler (`register`, `amend`, `lift`): the names
        # a generated client's functions get.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.runtime = rt
    rt.metrics = public.metrics_registry(rt)

    app.include_router(orders.router)
    app.include_router(operators.router)
    app.include_router(public.router)
    app.include_router(document_api.router)
    app.include_router(log_api.router)
    app.include_router(contest_api.router)
    app.include_router(pages.router)
    app.include_router(order_pages.router)
    app.include_router(document_pages.router)
    app.include_router(operator_pages.router)
    app.include_router(contest_pages.router)
    app.openapi = lambda: contract.document(app)  # type: ignore[method-assign]

    async def arret_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ArretError)
        if _wants_json(request):
            return errors.from_arret(exc)
        page = await run_in_threadpool(pages.error_page, request, rt, exc, errors.status_of(exc))
        page.headers.update(errors.headers_of(exc))
        return page

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _wants_json(request):
            return errors.from_validation(exc)
        reasons = [f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()]
        problem = ArretError("the request is malformed", reasons)
        return await run_in_threadpool(pages.error_page, request, rt, problem, 422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = allowed(app, request) if exc.status_code == 405 else dict(exc.headers or {})
        if _wants_json(request):
            return errors.from_http(exc, headers)
        problem = NotFound(f"no page at {request.url.path}") if exc.status_code == 404 else (
            ArretError(str(exc.detail))
        )  # fmt: skip
        page = await run_in_threadpool(pages.error_page, request, rt, problem, exc.status_code)
        page.headers.update(headers)
        return page

    async def database_error(request: Request, exc: Exception) -> Response:
        # A busy, full or unreachable database is the server's state, not a bug: 503 with
        # Retry-After, one warning line (no traceback), and the request changed nothing.
        known = classify(exc)
        if known is None:
            return errors.from_unexpected(exc)
        log.warning("%s %s: %s", request.method, request.url.path, known.summary)
        if _wants_json(request):
            return errors.from_arret(known)
        page = await run_in_threadpool(pages.error_page, request, rt, known, 503)
        page.headers.update(errors.headers_of(known))
        return page

    async def unexpected(request: Request, exc: Exception) -> Response:
        return errors.from_unexpected(exc)

    app.add_exception_handler(ArretError, arret_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(Exception, unexpected)

    @app.middleware("http")
    async def notice_by_host(request: Request, call_next: Any) -> Response:
        # A resolver that answers a blocked name with the notice host sends the visitor
        # here with the blocked name in `Host`: whatever the path, the notice page.
        name = pages.foreign_host(request, rt)
        if name is not None and request.method in ("GET", "HEAD"):
            try:
                response: Response = await run_in_threadpool(pages.notice_page, request, rt,
                                                              name)  # fmt: skip
            except (DBAPIError, PoolTimeout) as exc:  # outside the handlers: the same answer
                return await database_error(request, exc)
            return response
        forwarded: Response = await call_next(request)
        return forwarded

    # Added after the notice middleware, so outside it: the notice page gets them too.
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        # No page runs a script or is framed; styles are inline in the base template.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.add_middleware(
        memory.GiveBackMemory, release=lambda: memory.release(rt.engine), settled=settled
    )
    # Inside the session (it tells who a web form comes from), outside everything that
    # could read a body.
    app.add_middleware(
        limits.BodyLimit, rt=rt, web_principal=lambda data: session.principal_of(data, rt)
    )
    # Outermost: the session is there for every handler, the notice page included (it
    # keeps only the language and the CSRF token, never who visited).
    app.add_middleware(
        SessionMiddleware,
        secret_key=rt.settings.session_secret,
        session_cookie=session.COOKIE,
        max_age=int(rt.settings.session_lifetime.total_seconds()),
        same_site="lax",
        https_only=session.secure(rt),
    )
    # Outside even the session: a HEAD is the same GET through every layer.
    app.add_middleware(head.HeadAsGet)
    return app
