"""FastAPI dependencies: the runtime, and who is calling (a Bearer token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from arret.domain.access import Principal
from arret.errors import Forbidden, NotAuthenticated
from arret.http.runtime import Runtime
from arret.services import tokens

#: The databases hold signed 64-bit integers. A larger number in a path or a query names
#: nothing stored; sent to the database it would fail there (SQLite: OverflowError,
#: PostgreSQL: out of range), so every integer parameter is bounded here, in the schema.
MAX_INT = 2**63 - 1

#: A record's id in a path (`/api/orders/{order_id}`, `/register/{order_id}`).
Id = Annotated[int, Path(ge=1, le=MAX_INT, description="A positive id.")]
#: A feed serial in a path (RFC 1982: 32 bits).
Serial = Annotated[int, Path(ge=0, le=2**32 - 1)]

#: An operator's name as the registry takes it (a lowercase DNS label: it names the
#: operator's feed zone). Stated in the document; the registry's own check refuses (422) or
#: finds nothing (404) for any other, with its words (`arret.domain.operators`).
OPERATOR_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
#: An ISO 8601 date or date-time (`arret.domain.instants`): whatever else it is, it starts
#: with the year (or is empty: not given); the registry reads the rest and refuses (422
#: `invalid_order`) what it cannot.
INSTANT_PATTERN = r"^(\s*[0-9]{4}|$)"
INSTANT_MAX = 64

OperatorName = Annotated[
    str,
    Path(
        description="An operator's name (a lowercase DNS label).",
        json_schema_extra={"pattern": OPERATOR_PATTERN},
    ),
]
#: `?at=`: the instant a read is about (default: now).
At = Annotated[
    str | None,
    Query(
        max_length=INSTANT_MAX,
        description="Status at this instant (ISO 8601 date or date-time); default now.",
        json_schema_extra={"pattern": INSTANT_PATTERN},
    ),
]

_bearer = HTTPBearer(auto_error=False, description="A token from `arret token create`.")


def runtime(request: Request) -> Runtime:
    found: Runtime = request.app.state.runtime
    return found


Rt = Annotated[Runtime, Depends(runtime)]


def caller(
    request: Request,
    rt: Rt,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The token's principal; None when no Authorization header was sent."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
        return None
    with rt.read() as conn:
        return tokens.authenticate(conn, credentials.credentials, rt.clock.now())


Caller = Annotated[Principal | None, Depends(caller)]


def signed_in(principal: Caller) -> Principal:
    if principal is None:
        raise NotAuthenticated(
            "this needs a token: send 'Authorization: Bearer <token>' (see: arret token create)"
        )
    return principal


Reader = Annotated[Principal, Depends(signed_in)]


def writer(principal: Reader) -> Principal:
    if not principal.writes:
        raise Forbidden(f"a {principal.role.kind} token cannot change the registry")
    return principal


Writer = Annotated[Principal, Depends(writer)]


def overseer(principal: Reader) -> Principal:
    """Authority or auditor: whoever may read everything."""
    if not principal.reads_everything:
        raise Forbidden(f"a {principal.role} token reads only its own operator's data")
    return principal


Overseer = Annotated[Principal, Depends(overseer)]


def may_read_operator(principal: Principal, name: str) -> None:
    if not principal.reads_operator(name):
        raise Forbidden(f"a {principal.role} token cannot read operator {name!r}")
