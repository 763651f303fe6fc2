"""`/api/log`: the transparency log, for anyone, without a token — the
newest signed tree head (or any earlier one), leaves by range, inclusion and consistency
proofs, the public key, and the leaf of an operator's feed serial. Leaves never hold a
confidential order's names (only salted commitments), nor an operator's digest salt.
One endpoint is for auditors (and the authority) only: a name's salt and commitment."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from arret.api.contract import problems
from arret.api.schemas import (
    CommitmentOut,
    ConsistencyOut,
    HeadsOut,
    InclusionOut,
    LeafOut,
    LeavesOut,
    LogKeyOut,
    TreeHeadOut,
)
from arret.domain import names
from arret.errors import NotFound
from arret.http.deps import MAX_INT, OperatorName, Overseer, Rt, Serial
from arret.services import log
from arret.services.database import log_keys
from arret.tlog import tiles
from arret.tlog.signing import key_id, public_pem

router = APIRouter(prefix="/api/log", tags=["transparency log"])

NEWEST = "A tree size (default: newest)"


def at_least(low: int, description: str | None = None) -> Any:
    """A query integer's bounds: the upper one checked as the request is read, the lower
    one stated here and checked by the log, which answers 400 `invalid_range` with its
    own words for any number it does not have."""
    return Query(le=MAX_INT, description=description, json_schema_extra={"minimum": low})


#: The end of a range of leaves (exclusive; default: a full page from `start`).
Bound = Annotated[int | None, at_least(0)]
#: The end of a range of tree sizes (exclusive; not below `start`, itself a size: 1 or more).
SizeBound = Annotated[int | None, at_least(1)]
#: A tree size (a tree has at least one leaf).
Size = Annotated[int | None, at_least(1, NEWEST)]


@router.get(
    "/key", summary="The public key that signs the tree heads (Ed25519)", response_model=LogKeyOut
)
def public_key(rt: Rt) -> dict[str, Any]:
    chain = log_keys(rt.engine)
    raw = chain.current
    return {
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(raw).decode("ascii"),
        "key_id": key_id(raw),
        "pem": public_pem(raw),
        "history": chain.as_json(),
    }


@router.get(
    "/head",
    summary="The newest signed tree head, or the one of a given size",
    response_model=TreeHeadOut,
    responses=problems(400, 404),
)
def tree_head(rt: Rt, size: Size = None) -> dict[str, Any]:
    with rt.read() as conn:
        return log.head(conn, size).as_json()


@router.get(
    "/heads",
    summary="Signed heads of sizes start ≤ size < end (at most 1,000)",
    response_model=HeadsOut,
    responses=problems(400),
)
def heads(rt: Rt, start: Annotated[int, at_least(1)] = 1, end: SizeBound = None) -> dict[str, Any]:
    with rt.read() as conn:
        last = min(start + log.MAX_LEAVES, MAX_INT) if end is None else end
        found = log.heads(conn, start, last)
    return {"start": start, "end": last, "heads": found}


@router.get(
    "/leaves",
    summary="Leaves start ≤ index < end (at most 1,000, and about 4 MB: `end` in the "
    "answer says where the page stopped; ask again from there)",
    response_model=LeavesOut,
    responses=problems(400),
)
def leaves(rt: Rt, start: Annotated[int, at_least(0)] = 0, end: Bound = None) -> dict[str, Any]:
    with rt.read() as conn:
        last = min(start + log.MAX_LEAVES, MAX_INT) if end is None else end
        found = log.leaves(conn, start, last)
    # `end`: where this page stopped, hence where the next one starts.
    return {"start": start, "end": found[-1]["index"] + 1 if found else start, "leaves": found}


@router.get(
    "/proof/inclusion",
    summary="The audit path of a leaf in a tree size",
    response_model=InclusionOut,
    responses=problems(400, 404),
)
def inclusion(
    rt: Rt,
    index: Annotated[int, at_least(0)],
    size: Size = None,
) -> dict[str, Any]:
    with rt.read() as conn:
        return log.inclusion(conn, index, size)


@router.get(
    "/proof/consistency",
    summary="That the tree of `first` leaves is a prefix of `second`",
    response_model=ConsistencyOut,
    responses=problems(400, 404),
)
def consistency(
    rt: Rt,
    first: Annotated[int, at_least(1)],
    second: Size = None,
) -> dict[str, Any]:
    with rt.read() as conn:
        newest = log.head(conn, second).size
        proof = log.consistency(conn, first, newest)
    return {"first": first, "second": newest, "proof": [h.hex() for h in proof]}


@router.get(
    "/commitments/{name}",
    summary="For auditors: a name's salt, its commitment and the leaves holding it",
    response_model=CommitmentOut,
)
def commitment_proof(
    name: Annotated[str, Path(max_length=names.MAX_INPUT)], rt: Rt, _principal: Overseer
) -> dict[str, Any]:
    with rt.read() as conn:
        return log.commitment_proof(conn, name)


@router.get(
    "/feeds/{operator}/{serial}",
    summary="The leaf of an operator's feed serial",
    response_model=LeafOut,
)
def feed_leaf(operator: OperatorName, serial: Serial, rt: Rt) -> dict[str, Any]:
    with rt.read() as conn:
        return log.feed_leaf(conn, operator, serial)


# --- The tree as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), under /api/log/ ---

#: A tile's bytes never change (a partial one of width W is a prefix of every wider one
#: and of the full one): any HTTP cache may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A tile's answer: its bytes, cacheable for good.
BYTES: dict[str, Any] = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    "headers": {"Cache-Control": {"required": True, "schema": {"type": "string"}}},
}
#: A tile's index as C2SP writes it (`x001/x234/067`, `.p/W` for a partial one): stated
#: here, read by `_tile_address`, which answers 404 for any other path.
TileAddress = Annotated[
    str,
    Path(
        description="The tile's index in groups of three digits, all but the last prefixed "
        "with `x` (`x001/x234/067`); `.p/W` for the first W entries of a partial tile.",
        json_schema_extra={"pattern": r"^(x[0-9]{3}/)*[0-9]{3}(\.p/[0-9]{1,3})?$"},
    ),
]


def _tile_address(text: str) -> tuple[int, int]:
    """(index, width) of a tile path's `x001/x234/067[.p/W]`."""
    index_text, partial, width_text = text.partition(".p/")
    try:
        index = tiles.decode_index(index_text)
        width = int(width_text) if partial else tiles.WIDTH
        if partial and (width_text != str(width) or not 0 < width < tiles.WIDTH):
            raise ValueError(width_text)
    except ValueError:
        raise NotFound(f"{text!r} is not a tile's path (x001/x234/067, or 067.p/W with "
                       "0 < W < 256)") from None  # fmt: skip
    return index, width


@router.get(
    "/tile/entries/{address:path}",
    summary="The leaves of a level-0 tile, each prefixed by its length (two octets)",
    response_class=Response,
    responses={200: BYTES, **problems(400)},
)
def entry_bundle(address: TileAddress, rt: Rt) -> Response:
    index, width = _tile_address(address)
    with rt.read() as conn:
        body = log.entry_bundle(conn, index, width)
    return Response(body, media_type="application/octet-stream",
                    headers={"Cache-Control": IMMUTABLE})  # fmt: skip


@router.get(
    "/tile/{level}/{address:path}",
    summary="A tile of the tree: 256 hashes of level·8 height (or the first W of a partial one)",
    response_class=Response,
    responses={200: BYTES},
)
def tile(level: Annotated[int, Path(ge=0, le=8)], address: TileAddress, rt: Rt) -> Response:
    index, width = _tile_address(address)
    with rt.read() as conn:
        body = log.tile(conn, level, index, width)
    return Response(body, media_type="application/octet-stream",
                    headers={"Cache-Control": IMMUTABLE})  # fmt: skip
