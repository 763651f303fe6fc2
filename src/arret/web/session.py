"""The web UI's session: who is logged in (the id of the token they presented, in a
signed, HttpOnly, SameSite cookie — never the token itself), the CSRF token every form
carries, the language, and one-shot messages."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request

from arret.api.runtime import Runtime
from arret.domain.access import Principal
from arret.errors import Forbidden, NotAuthenticated
from arret.services import tokens
from arret.web import i18n

COOKIE = "arret_session"
LANG_COOKIE = "arret_lang"
#: A session lasts a working day; the token's own expiry and revocation still apply at
#: every request.
MAX_AGE = 8 * 3600


class LoginRequired(NotAuthenticated):
    """The page needs a logged-in user: the UI answers with the login page."""


def csrf_token(request: Request) -> str:
    session: dict[str, Any] = request.session
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str) -> None:
    """Every form posts the session's CSRF token; a cross-site form cannot know it."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, sent or ""):
        raise Forbidden(
            "the form's security token is missing or stale (CSRF check); reload the page "
            "and submit again"
        )


def principal_of(data: dict[str, Any], rt: Runtime) -> Principal | None:
    """Who a session's data stands for, without changing it: None for nobody, or for a
    session whose token is no longer valid."""
    token_id = data.get("token_id")
    if not isinstance(token_id, int):
        return None
    try:
        with rt.read() as conn:
            return tokens.by_id(conn, token_id, rt.clock.now())
    except NotAuthenticated:
        return None


def principal(request: Request, rt: Runtime) -> Principal | None:
    token_id = request.session.get("token_id")
    if not isinstance(token_id, int):
        return None
    try:
        with rt.read() as conn:
            return tokens.by_id(conn, token_id, rt.clock.now())
    except NotAuthenticated:
        # Revoked or expired since login: the session ends now.
        request.session.pop("token_id", None)
        request.session["flash"] = (
            "Your session ended, or the token is no longer valid: log in again."
        )
        return None


def require(request: Request, rt: Runtime) -> Principal:
    found = principal(request, rt)
    if found is None:
        raise LoginRequired("log in first")
    return found


def log_in(request: Request, rt: Runtime, token: str) -> Principal:
    with rt.read() as conn:
        found = tokens.authenticate(conn, token, rt.clock.now())
    # A new session at login: a session fixed before login is not reused.
    request.session.clear()
    request.session["token_id"] = found.token_id
    csrf_token(request)
    return found


def language(request: Request) -> str:
    return i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop("flash", None)
    return message if isinstance(message, str) else None
