"""The web UI's session: who is logged in, the CSRF token every form carries, the
language, and one-shot messages, in a signed, HttpOnly, SameSite cookie (Secure when the
public URL is https).

Who is logged in is a session key, never the token: the server keeps the session (its
digest, token and end, `web_sessions`), so that logging out ends it for every copy of the
cookie, and revoking the token ends every session opened with it."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request

from arret.domain.access import Principal
from arret.errors import Forbidden, NotAuthenticated
from arret.http.runtime import Runtime
from arret.services import tokens
from arret.web import i18n

COOKIE = "arret_session"
LANG_COOKIE = "arret_lang"


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


#: The session's key in the cookie's data.
KEY = "sid"


def principal_of(data: dict[str, Any], rt: Runtime) -> Principal | None:
    """Who a session's data stands for, without changing it: None for nobody, or for a
    session that has ended."""
    key = data.get(KEY)
    if not isinstance(key, str):
        return None
    try:
        with rt.read() as conn:
            return tokens.session_principal(conn, key, rt.clock.now())
    except NotAuthenticated:
        return None


def principal(request: Request, rt: Runtime) -> Principal | None:
    if not isinstance(request.session.get(KEY), str):
        return None
    found = principal_of(request.session, rt)
    if found is None:
        # Over, logged out elsewhere, or its token revoked or expired: it ends here too.
        request.session.pop(KEY, None)
        request.session["flash"] = i18n.N_(
            "Your session ended, or the token is no longer valid: log in again."
        )
    return found


def require(request: Request, rt: Runtime) -> Principal:
    found = principal(request, rt)
    if found is None:
        raise LoginRequired("log in first")
    return found


def log_in(request: Request, rt: Runtime, token: str) -> Principal:
    now = rt.clock.now()
    with rt.begin() as conn:
        found = tokens.authenticate(conn, token, now)
        key = tokens.open_session(conn, found, now, rt.settings.session_lifetime)
    # A new session at login: a session fixed before login is not reused.
    request.session.clear()
    request.session[KEY] = key
    csrf_token(request)
    return found


def log_out(request: Request, rt: Runtime) -> None:
    key = request.session.get(KEY)
    if isinstance(key, str):
        with rt.begin() as conn:
            tokens.end_session(conn, key, rt.clock.now())
    request.session.clear()


def secure(rt: Runtime) -> bool:
    """Cookies are Secure when people reach the server over https."""
    return rt.settings.secure_cookies or rt.settings.public_url.lower().startswith("https://")


def language(request: Request) -> str:
    return i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop("flash", None)
    return message if isinstance(message, str) else None
