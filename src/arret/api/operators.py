"""`/api/operators`, `/api/allow`, `/api/events`: operators and their feeds, the
allow-list, and the registry's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from arret import views
from arret.api.contract import problems
from arret.api.orders import times
from arret.api.schemas import (
    AllowIn,
    AllowOut,
    ChangeOut,
    DigestSaltOut,
    EventOut,
    FeedOut,
    OperatorAddedOut,
    OperatorDetailOut,
    OperatorIn,
    OperatorOut,
)
from arret.feed.notify import ResolverState
from arret.http.deps import (
    MAX_INT,
    At,
    OperatorName,
    Overseer,
    Reader,
    Rt,
    Writer,
    may_read_operator,
)
from arret.http.runtime import Runtime
from arret.rpz.resolvers import Resolver
from arret.rpz.zone import FeedSettings
from arret.services import exports, feed, keys, log, queries, registry
from arret.services.status import changes_since, feed_status

router = APIRouter(prefix="/api", tags=["operators"])


def policy_media() -> dict[str, Any]:
    """The media types of a policy, one per export format (some share one)."""
    shapes: dict[str, Any] = {}
    for format in exports.Format:
        kind = exports.media_type(format).split(";")[0]
        schema: dict[str, Any] = (
            {"$ref": "#/components/schemas/PolicyOut"}
            if kind == "application/json"
            else {"type": "string"}
        )
        shapes[kind] = {"schema": schema}
    return shapes


def key_view(key: Any) -> dict[str, Any]:
    return {
        "name": key.name,
        "algorithm": key.algorithm,
        "secret": key.secret,
        "created_at": views.when(key.created_at),
    }


def status_view(rt: Runtime, operator: str) -> dict[str, Any]:
    with rt.read() as conn:
        status = feed_status(conn, operator)
    out: dict[str, Any] = {
        "zone": FeedSettings().zone(operator),
        "serial": status.serial,
        "published_at": views.when(status.published_at),
        "records": status.records,
        "names": status.names,
        "versions": status.versions,
        "last_transfer": None,
        "transfers": {},
        "resolvers": [],
    }
    if rt.feed is not None:
        seen = rt.feed.operator(operator)
        last = seen.last
        if last is not None:
            out["last_transfer"] = {"kind": last[0], "at": views.when(last[1]), "serial": last[2]}
        out["transfers"] = seen.transfers
        out["resolvers"] = [resolver_view(r) for r in seen.resolvers]
    return out


def resolver_view(state: ResolverState) -> dict[str, Any]:
    """One resolver as the feed sees it: the serial it holds and how that is known, how
    far behind it is, and the NOTIFY being re-sent to it or given up."""
    held = state.held
    return {
        "address": state.address,
        "serial": held.serial if held else None,
        "seen_at": views.when(held.at) if held else None,
        "evidence": held.how if held else None,
        "lag": state.lag,
        "notify": None if state.pending is None else {
            "target": state.pending[0],
            "serial": state.pending[1].serial,
            "since": views.when(state.pending[1].since),
            "sent": state.pending[1].attempts,
        },
        "given_up": None if state.gave_up is None else {
            "serial": state.gave_up[0], "at": views.when(state.gave_up[1]),
        },
    }  # fmt: skip


@router.get(
    "/operators",
    summary="List operators (an operator token sees itself)",
    response_model=list[OperatorOut],
)
def list_operators(rt: Rt, principal: Reader) -> list[dict[str, Any]]:
    with rt.read() as conn:
        found = queries.operators(conn)
    return [views.operator(op) for op in found if principal.reads_operator(op.name)]


@router.post(
    "/operators",
    status_code=201,
    summary="Add an operator; its TSIG key once",
    response_model=OperatorAddedOut,
    responses=problems(409),
)
def add_operator(body: OperatorIn, rt: Rt, principal: Writer) -> dict[str, Any]:
    with rt.begin() as conn:
        op, key = registry.add_operator(
            conn,
            body.name,
            rt.clock.now(),
            principal.actor,
            body.notify,
            body.probe,
            body.allow_from,
        )
    return views.operator(op) | {"key": key_view(key)}


@router.get(
    "/operators/{name}",
    summary="Show an operator and its feed's status",
    response_model=OperatorDetailOut,
    responses=problems(403),
)
def show_operator(name: OperatorName, rt: Rt, principal: Reader) -> dict[str, Any]:
    with rt.read() as conn:
        op = queries.operator(conn, name)
    may_read_operator(principal, name)
    return views.operator(op) | {"feed": status_view(rt, name)}


@router.get(
    "/operators/{name}/feed",
    summary="The feed's serial, size and last transfer",
    response_model=FeedOut,
    responses=problems(403),
)
def operator_feed(name: OperatorName, rt: Rt, principal: Reader) -> dict[str, Any]:
    with rt.read() as conn:
        queries.operator(conn, name)
    may_read_operator(principal, name)
    return status_view(rt, name)


@router.get(
    "/operators/{name}/feed/digest-salt",
    summary="The secret of the feed's policy digests (to check a zone against the log)",
    description="`key`: the operator's digest key (hex, 512 octets little-endian), used "
    "from serial `keyed_since` on; `salt`: the salt of the serials logged before it "
    "(null when there are none).",
    response_model=DigestSaltOut,
    responses=problems(403),
)
def operator_digest_salt(name: OperatorName, rt: Rt, principal: Reader) -> dict[str, Any]:
    with rt.read() as conn:
        queries.operator(conn, name)
        may_read_operator(principal, name)
        secret = log.digest_secret(conn, name)
    return {"operator": name, **log.secret_to_json(secret)}


@router.get(
    "/operators/{name}/changes",
    summary="What the feed changed since a serial",
    response_model=list[ChangeOut],
    responses=problems(403),
)
def operator_changes(
    name: OperatorName,
    rt: Rt,
    principal: Reader,
    since: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
) -> list[dict[str, Any]]:
    with rt.read() as conn:
        queries.operator(conn, name)
        may_read_operator(principal, name)
        found = changes_since(conn, name, since)
    return [
        {
            "serial": c.serial,
            "published_at": views.when(c.published_at),
            "removed": [{"owner": o, "kind": k} for o, k in c.removed],
            "added": [{"owner": o, "kind": k} for o, k in c.added],
        }
        for c in found
    ]


@router.get(
    "/operators/{name}/policy",
    summary="The names the operator must block, in any export format",
    description="The media type follows `format`: JSON (`application/json`, the shape of "
    "`arret policy --json`), CSV (`text/csv`), an RPZ zone file (`text/dns`), and plain text "
    "for `list`, `hosts`, `unbound` and `dnsmasq`.",
    response_class=PlainTextResponse,
    responses={**problems(403), 200: {"content": policy_media()}},
)
def operator_policy(
    name: OperatorName,
    rt: Rt,
    principal: Reader,
    format: exports.Format = exports.Format.JSON,
    at: At = None,
) -> PlainTextResponse:
    when = times(at=at)["at"] or rt.clock.now()
    with rt.read() as conn:
        queries.operator(conn, name)
        may_read_operator(principal, name)
        result = registry.policy_for(conn, name, when)
        serial = feed.serial_at(conn, name, when) if format is exports.Format.RPZ else 0
        settings = feed.settings_of(conn)
    text = "".join(line + "\n" for line in exports.policy_lines(result, format, serial, settings))
    return PlainTextResponse(text, media_type=exports.media_type(format))


@router.get(
    "/operators/{name}/config",
    summary="A resolver configuration that pulls this operator's feed",
    description="The TSIG secret is shown to the operator itself and to the authority; an "
    "auditor gets the configuration with the secret redacted.",
    response_class=PlainTextResponse,
    responses={**problems(403), 200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def operator_config(
    name: OperatorName,
    rt: Rt,
    principal: Reader,
    resolver: Resolver,
    server: Annotated[
        list[str] | None,
        Query(
            description="Where `arret serve` answers DNS (HOST:PORT); repeated once per "
            "instance serving the feed, the preferred first. Default 127.0.0.1:53."
        ),
    ] = None,
    directory: str | None = None,
    register_url: str = "http://127.0.0.1:8080/register",
    notice_address: Annotated[list[str] | None, Query()] = None,
) -> PlainTextResponse:
    with rt.read() as conn:
        queries.operator(conn, name)
        may_read_operator(principal, name)
        text = keys.resolver_config(conn, name, resolver, server or ["127.0.0.1:53"],
                                    rt.clock.now(), directory,
                                    register_url, not principal.holds_secrets_of(name),
                                    notice_address or [])  # fmt: skip
    return PlainTextResponse(text)


@router.get("/allow", summary="The allow-list", tags=["allow-list"], response_model=list[AllowOut])
def list_allow(rt: Rt, principal: Reader) -> list[dict[str, Any]]:
    with rt.read() as conn:
        now = rt.clock.now()
        return [views.allow_entry(a) for a in queries.allowed_at(conn, now)]


@router.post(
    "/allow",
    status_code=201,
    summary="Allow-list a name",
    tags=["allow-list"],
    response_model=AllowOut,
    responses=problems(409),
)
def add_allow(body: AllowIn, rt: Rt, principal: Writer) -> dict[str, Any]:
    with rt.begin() as conn:
        entry = registry.allow_name(conn, body.name, body.reason, rt.clock.now(), principal.actor)
    return views.allow_entry(entry)


@router.post(
    "/allow/remove",
    summary="Take a name off the allow-list",
    description="From now, the orders that cover the name block it again. 404 when the "
    "name is not on the allow-list.",
    tags=["allow-list"],
    response_model=AllowOut,
    responses=problems(404),
)
def remove_allow(body: AllowIn, rt: Rt, principal: Writer) -> dict[str, Any]:
    with rt.begin() as conn:
        entry = registry.remove_allowed(conn, body.name, body.reason, rt.clock.now(),
                                        principal.actor)  # fmt: skip
    return views.allow_entry(entry)


@router.get(
    "/events",
    summary="The registry's history, oldest first",
    tags=["events"],
    response_model=list[EventOut],
)
def events(
    rt: Rt,
    principal: Overseer,
    after: Annotated[
        int, Query(ge=0, le=MAX_INT, description="Only events after this sequence number.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    with rt.read() as conn:
        found = queries.events(conn, after, limit)
    return [views.history_entry(*h) for h in found]
