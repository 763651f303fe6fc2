"""Request bodies are bounded, and their sender known, before they are read.

FastAPI reads a request's whole body before it runs the dependencies that check the
token, so without this anyone could make the server hold any number of 50 MB bodies. This
pure ASGI middleware (a `BaseHTTPMiddleware` would sit on the body stream it guards) runs
first, on the request's headers alone:

- a write to `/api` with an `Authorization` header that names no valid token is answered
  401 at once, its body never read;
- a caller that may write (an authority token, or a logged-in authority in the web UI) may
  send up to `max_body` (a registration of a million names is about 40 MB); every other
  request up to `anonymous_body` (a login form, a small public request), but a contest
  (`CONTEST_PATHS`), which anyone sends with its attachments, up to `contest_body`;
- a declared `Content-Length` above the limit is answered 413 at once; a body sent in
  chunks is counted as it streams, and the request ends with 413 at the first byte past
  the limit.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arret.domain.access import Principal
from arret.errors import NotAuthenticated
from arret.http import errors
from arret.http.runtime import Runtime
from arret.services import tokens

log = logging.getLogger("arret.api")

#: Where anyone may send a contest with its attachments (`HttpSettings.contest_body`).
CONTEST_PATHS = frozenset({"/api/contests", "/contest"})

#: Methods whose bodies no endpoint reads: they get the small limit without a lookup.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def size_text(octets: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if octets >= factor and octets % factor == 0:
            return f"{octets // factor} {unit}"
    return f"{octets} bytes"


class BodyTooLarge(HTTPException):
    """Raised while the body streams in, to stop whoever reads it."""

    def __init__(self, limit: int, writer: bool) -> None:
        if writer:
            detail = (
                f"the request body is larger than {size_text(limit)}, this server's limit "
                "(arret serve --max-body)"
            )
        else:
            detail = (
                f"the request body is larger than {size_text(limit)}: without a token that "
                "may write, bodies are limited to that"
            )
        super().__init__(413, detail)


class BodyLimit:
    def __init__(
        self, app: ASGIApp, rt: Runtime, web_principal: Callable[[Any], Principal | None]
    ) -> None:
        self.app = app
        self.rt = rt
        #: Who a web session's data stands for (None: nobody, or a session that ended).
        self.web_principal = web_principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.rt.settings
        headers = Headers(scope=scope)
        api = scope["path"].startswith("/api")
        writer = False
        if scope["method"] not in _BODILESS:
            found = await self._caller(scope, headers, api)
            if isinstance(found, NotAuthenticated):
                await _answer(scope, send, api, 401, "not_authenticated", found.summary)
                return
            writer = found is not None and found.writes
        limit = settings.max_body if writer else min(settings.anonymous_body, settings.max_body)
        if scope["method"] == "POST" and scope["path"] in CONTEST_PATHS:
            limit = max(limit, settings.contest_body)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            error = BodyTooLarge(limit, writer)
            await _answer(scope, send, api, 413, "content_too_large", error.detail)
            return
        received = 0
        too_large: BodyTooLarge | None = None

        async def counted() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = BodyTooLarge(limit, writer)
                    raise too_large
            return message

        # Between the body and FastAPI's handler, a middleware may wrap the error (a
        # `BaseHTTPMiddleware` turns it into an ExceptionGroup, then FastAPI into a 400):
        # whatever the application answers once the limit is passed, the client gets 413.
        started = replaced = False

        async def watched(message: Message) -> None:
            nonlocal started, replaced
            if message["type"] == "http.response.start":
                started = True
                if too_large is not None:
                    replaced = True
                    await _answer(scope, send, api, 413, "content_too_large", too_large.detail)
            if not replaced:
                await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if too_large is None or started:
                raise
            await _answer(scope, send, api, 413, "content_too_large", too_large.detail)

    async def _caller(
        self, scope: Scope, headers: Headers, api: bool
    ) -> Principal | NotAuthenticated | None:
        """Who sends this body: the Bearer token's principal on `/api`, the logged-in
        user of a web session elsewhere; a NotAuthenticated for a token that is refused."""
        authorization = headers.get("authorization")
        if api and authorization is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return NotAuthenticated("the Authorization header must be 'Bearer <token>'")
            try:
                return await run_in_threadpool(self._authenticate, token)
            except NotAuthenticated as refused:
                return refused
            except Exception as error:  # the database failed, not the caller: _unchecked
                _unchecked(error)
                return None
        if not api and "session" in scope:
            try:
                found: Principal | None = await run_in_threadpool(
                    self.web_principal, scope["session"]
                )
            except Exception as error:
                _unchecked(error)
                return None
            return found
        return None

    def _authenticate(self, token: str) -> Principal:
        with self.rt.read() as conn:
            return tokens.authenticate(conn, token, self.rt.clock.now())


def _unchecked(error: Exception) -> None:
    """The database could not say who is calling: the request goes on with the small
    limit, and its handler meets the same database and answers for it."""
    log.warning("caller not checked before the body: %s", error)


async def _answer(scope: Scope, send: Send, api: bool, status: int, code: str, text: str) -> None:
    """An answer sent before the application runs: the API's error shape, or a plain page."""
    head: list[tuple[bytes, bytes]] = [(b"connection", b"close")]
    if api:
        body = json.dumps(errors.body(status, code, text, [])).encode()
        head.append((b"content-type", b"application/json"))
        if status == 401:
            head.append((b"www-authenticate", b'Bearer realm="arret"'))
    else:
        said = html.escape(text)
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{said}</p>\n".encode()
        head += [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-security-policy", b"default-src 'none'"),
        ]
    head.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})
