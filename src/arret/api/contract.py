"""The API's contract: every answer each operation can give, besides its success, stated in
the OpenAPI document from what the routes themselves declare.

`document(app)` builds the document once the routers are in. To each operation it adds
the errors that follow from how the route is built, so that an endpoint added later gets
them without anyone listing them:

- 400: the body is JSON that cannot be parsed;
- 401 (with `WWW-Authenticate`): the route reads a token (`Authorization: Bearer`);
- 403: the route needs a role that writes or reads everything;
- 404: the route has a path parameter (it names something that may not exist);
- 409: the route takes an `Idempotency-Key`;
- 413: the route takes a body, declared as a model or as raw content in `openapi_extra`
  (bounded before it is read);
- 422: the route takes any parameter or body (FastAPI's validation, then the registry's);
- 503 (with `Retry-After` when trying again helps): every route reads the database.

A route states the others it can give with `problems(...)` in its `responses` (a test
follows each handler's calls to the errors they raise and holds it to that). Every error
has the one shape of `arret.http.errors`, described here as `ErrorOut`.

A parameter or field that may be null states its bounds (`minimum`, `pattern`…) on its
non-null type, where every client generator and fuzzer reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import BaseRoute

from arret.api.schemas import PolicyOut
from arret.http import deps


class ProblemOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int = Field(ge=400, le=599, description="The HTTP status, again.")
    code: str = Field(
        min_length=1, description="Stable (scripts test it): `invalid_order`, `not_found`…"
    )
    message: str = Field(min_length=1, description="For people.")
    reasons: list[str] = Field(description="Every problem found, not the first.")


class ErrorOut(BaseModel):
    """The one shape of every error of the API."""

    model_config = ConfigDict(extra="forbid")

    error: ProblemOut


#: What each status means, and the codes it comes with.
MEANING: dict[int, str] = {
    400: "The request cannot be read (a body that is not JSON), or a range the log does not "
    "have (`invalid_range`).",
    401: "No token, or one that is unknown, expired or revoked (`not_authenticated`).",
    403: "The token's role does not allow this (`forbidden`).",
    404: "Nothing of that id or name (`not_found`).",
    409: "Contradicts what is there: a name already there (`already_exists`), an "
    "`Idempotency-Key` reused for a different request (`conflict`).",
    413: "The body is larger than the server takes (`content_too_large`), or a document "
    "larger than it keeps (`document_too_large`).",
    422: "A parameter or body the document refuses (`invalid_request`), or one the registry "
    "refuses with every reason (`invalid_order`, `invalid_targets`, `invalid_name`, "
    "`invalid_time`, `invalid_text`, `invalid_operator`, `invalid_config`, "
    "`confirmation_required`…).",
    429: "More contests than the server takes in its window, for this name or in all "
    "(`too_many_contests`); nothing was stored: try again after `Retry-After` seconds.",
    503: "The database cannot be used now (busy, full, unreachable, or not at the schema this "
    "server expects), the log's signing key is missing, or the log it holds is not as it "
    "was signed (`log_inconsistent`); nothing was changed.",
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": 'Always `Bearer realm="arret"`.',
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the window lets another contest in.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before trying again, when that will help.",
            "required": False,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


_REPLAYED = {
    "Idempotency-Replayed": {
        "description": "`true` when this is the first answer to the same `Idempotency-Key`, "
        "sent again instead of a second change.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def problems(*statuses: int) -> dict[int | str, Any]:
    """The `responses` of a route for these error statuses, in the one error shape."""
    found: dict[int | str, Any] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorOut, "description": MEANING[status]}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        found[status] = entry
    return found


#: The headers of a file answered as a download (never rendered as a page).
_DOWNLOAD_HEADERS: dict[str, Any] = {
    "Content-Disposition": {
        "description": "`attachment`, with the file's name (RFC 6266).",
        "required": True,
        "schema": {"type": "string", "pattern": "^attachment;"},
    },
    "X-Content-Type-Options": {
        "description": "Always `nosniff`: the type is the one its content was found to be.",
        "required": True,
        "schema": {"type": "string", "enum": ["nosniff"]},
    },
    "Content-Security-Policy": {
        "description": "A sandbox, should a browser open it all the same.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {"required": True, "schema": {"type": "string"}},
}


def download(media_types: Sequence[str], description: str) -> dict[int | str, Any]:
    """The `responses` of a route whose success is a file of one of `media_types`, sent as
    a download."""
    content = {media: {"schema": {"type": "string", "format": "binary"}} for media in media_types}
    return {200: {"description": description, "content": content, "headers": _DOWNLOAD_HEADERS}}


def _walk(dependant: Dependant) -> list[Dependant]:
    """`dependant` and every dependency under it."""
    return [dependant, *(d for sub in dependant.dependencies for d in _walk(sub))]


def implied(route: APIRoute) -> list[int]:
    """The error statuses that follow from how `route` is built."""
    every = _walk(route.dependant)
    calls = {d.call for d in every}
    path = [p for d in every for p in d.path_params]
    params = [p for d in every for p in (*d.path_params, *d.query_params, *d.header_params)]
    statuses = [503]
    if route.body_field is not None:  # JSON, parsed by FastAPI
        statuses.append(400)
    if takes_body(route):
        statuses.append(413)
    if deps.caller in calls:
        statuses.append(401)
    if calls & {deps.writer, deps.overseer}:
        statuses.append(403)
    if path:
        statuses.append(404)
    if any(p.alias.lower() == "idempotency-key" for p in params):
        statuses.append(409)
    if params or takes_body(route):
        statuses.append(422)
    return sorted(statuses)


def takes_body(route: APIRoute) -> bool:
    """Whether `route` reads a body: a model, or raw content it reads itself and declares
    in `openapi_extra` (a document uploaded as the body)."""
    return route.body_field is not None or "requestBody" in (route.openapi_extra or {})


def every_route(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route under `routes`, through the routers included in them."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from every_route(included.routes)
        else:
            yield route


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every operation under `routes`."""
    for route in every_route(routes):
        if isinstance(route, APIRoute):
            yield route


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"{_REFS}ErrorOut"}}}


_REFS = "#/components/schemas/"


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of `app`: FastAPI's, with the errors each route implies, in the
    one error shape (instead of FastAPI's own shape for 422, which this API never sends)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    doc = FastAPI.openapi(app)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    shapes = ErrorOut.model_json_schema(ref_template=_REFS + "{model}")
    schemas.update(shapes.pop("$defs", {}))
    schemas["ErrorOut"] = shapes
    # Models that only a route's declared content refers to (by name).
    for model in (PolicyOut,):
        found = model.model_json_schema(ref_template=_REFS + "{model}")
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    for route in api_routes(app.routes):
        if not route.include_in_schema or route.path_format not in doc["paths"]:
            continue
        for method in sorted(route.methods or ()):
            operation = doc["paths"][route.path_format].get(method.lower())
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            for status in implied(route):
                answers.setdefault(str(status), {})
            for status, entry in answers.items():
                if int(status) < 400:
                    if 409 in implied(route):
                        entry.setdefault("headers", {}).update(_REPLAYED)
                    continue
                # FastAPI gives a route's declared errors the route's own media type (text
                # for a text route) and its own 422 shape: every error is this JSON.
                declared = entry.get("description")
                shape = entry.get("content", {}).get("application/json", {}).get("schema")
                entry.clear()
                entry["description"] = (
                    declared
                    if declared and declared != "Validation Error"
                    else MEANING[int(status)]
                )
                entry["content"] = _error_content()
                if (
                    shape is not None
                    and "ErrorOut" not in json.dumps(shape)
                    and ("HTTPValidationError" not in json.dumps(shape))
                ):
                    # An answer of the route's own shape (a degraded /healthz), or an error.
                    error = entry["content"]["application/json"]["schema"]
                    entry["content"]["application/json"]["schema"] = {"anyOf": [shape, error]}
                if int(status) in _HEADERS:
                    entry["headers"] = _HEADERS[int(status)]
            operation["responses"] = dict(sorted(answers.items()))
    _narrow(doc)
    if "HTTPValidationError" not in json.dumps(doc["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    app.openapi_schema = doc
    return doc


#: What bounds a value of one type, which Pydantic puts beside `anyOf` for a nullable one.
_BOUNDS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format", "enum", "minItems", "maxItems",
})  # fmt: skip
_NULL = {"type": "null"}


def _narrow(node: Any) -> None:
    """Moves the bounds beside a nullable `anyOf: [T, null]` into T, everywhere in `node`.

    Beside `anyOf` they hold in JSON Schema too (a bound on numbers ignores a null), but
    client generators and fuzzers read a type's bounds on the type; and an `enum` there
    would refuse the null."""
    if isinstance(node, list):
        for item in node:
            _narrow(item)
        return
    if not isinstance(node, dict):
        return
    choices = node.get("anyOf")
    if isinstance(choices, list) and len(choices) == 2 and _NULL in choices:
        kind = choices[1 - choices.index(_NULL)]
        if isinstance(kind, dict) and "type" in kind:
            for key in sorted(_BOUNDS & node.keys() - kind.keys()):
                kind[key] = node.pop(key)
    for value in node.values():
        _narrow(value)
