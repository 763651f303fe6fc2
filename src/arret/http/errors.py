"""The one JSON error shape of the API, for every error:

    {"error": {"status": 422, "code": "invalid_targets",
               "message": "2 bad targets; nothing was registered",
               "reasons": ["'fr': a public suffix …", "'x..y': …"]}}

`code` is stable (scripts test it), `message` and `reasons` are for people; `reasons`
lists every problem found, not the first. Errors of the web UI are HTML pages instead
(`arret.web`); this module decides only the status of each error class.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from arret.errors import (
    AlreadyExists,
    ArretError,
    ConfirmationRequired,
    Conflict,
    DatabaseNotReady,
    DatabaseUnavailable,
    DocumentDamaged,
    DocumentTooLarge,
    Forbidden,
    InvalidConfig,
    InvalidContest,
    InvalidDocument,
    InvalidName,
    InvalidOperator,
    InvalidOrder,
    InvalidRole,
    InvalidTargets,
    InvalidText,
    InvalidTime,
    LogInconsistent,
    LogKeyError,
    NotAuthenticated,
    NotFound,
    TooManyContests,
)

log = logging.getLogger("arret.api")

STATUS: dict[type[ArretError], int] = {
    InvalidName: 422,
    InvalidTargets: 422,
    InvalidOrder: 422,
    InvalidTime: 422,
    InvalidText: 422,
    InvalidOperator: 422,
    InvalidRole: 422,
    InvalidConfig: 422,
    InvalidContest: 422,
    TooManyContests: 429,
    ConfirmationRequired: 422,
    InvalidDocument: 422,
    DocumentTooLarge: 413,
    DocumentDamaged: 503,
    AlreadyExists: 409,
    Conflict: 409,
    NotFound: 404,
    NotAuthenticated: 401,
    Forbidden: 403,
    DatabaseNotReady: 503,
    DatabaseUnavailable: 503,
    LogKeyError: 503,
    # The log in the database is not as it was signed: the server's fault, not the request's.
    LogInconsistent: 503,
}


def status_of(error: ArretError | type[ArretError]) -> int:
    """The HTTP status of an error, or of every error of a class."""
    kind = error if isinstance(error, type) else type(error)
    for cls in kind.__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def code_of(error: ArretError) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def body(status: int, code: str, message: str, reasons: list[str] | tuple[str, ...] = ()) -> Any:
    return {"error": {"status": status, "code": code, "message": message, "reasons": list(reasons)}}


def response(
    status: int, code: str, message: str, reasons: Any = (), headers: dict[str, str] | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="arret"'
    return JSONResponse(body(status, code, message, reasons), status, headers=headers or None)


def headers_of(error: ArretError) -> dict[str, str]:
    """`Retry-After` (RFC 9110 §10.2.3) on a 503 that a client should simply try again."""
    if isinstance(error, DatabaseUnavailable | TooManyContests):
        return {"Retry-After": str(error.retry_after)}
    return {}


def from_arret(error: ArretError) -> JSONResponse:
    return response(
        status_of(error), code_of(error), error.summary, error.reasons, headers_of(error)
    )


def from_validation(error: RequestValidationError) -> JSONResponse:
    reasons = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "request"
        reasons.append(f"{where}: {problem.get('msg', 'invalid')}")
    n = len(reasons)
    return response(422, "invalid_request", f"{n} problem{'s' * (n != 1)} in the request", reasons)


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "not_authenticated",
    413: "content_too_large",
}


def from_http(error: HTTPException, headers: dict[str, str] | None = None) -> JSONResponse:
    """`headers`: those of the answer (a 405's `Allow`); by default the exception's own."""
    code = _HTTP_CODES.get(error.status_code, f"http_{error.status_code}")
    kept = dict(error.headers or {}) if headers is None else headers
    return response(error.status_code, code, str(error.detail), headers=kept)


def from_unexpected(error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return response(500, "internal_error", "an unexpected error; it is logged on the server")
