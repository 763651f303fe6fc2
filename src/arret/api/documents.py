"""`/api/orders/{id}/documents` and `/api/public/orders/{id}/documents/{sha256}`: an
order's decision documents and evidence — attached by the authority, listed and read
back by whoever may read the order, and by anyone for an order that is not confidential.

A document is uploaded as the request body itself, its `Content-Type` the type it claims
(checked against its content). It is answered with the type its content was found to
be, never HTML: `X-Content-Type-Options: nosniff`, `Content-Disposition: attachment` and
a sandboxing `Content-Security-Policy`, so that no browser renders it as a page of this
origin.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from arret import views
from arret.api import contract
from arret.api.schemas import DocumentOut, DocumentsOut
from arret.domain import documents as rules
from arret.domain.documents import Attached, DocumentKind
from arret.domain.instants import parse_instant
from arret.errors import NotFound
from arret.http.deps import Id, Reader, Rt, Writer
from arret.http.documents import download
from arret.http.runtime import Runtime
from arret.services import documents, queries

router = APIRouter(tags=["documents"])

Digest = Annotated[
    str, Path(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$", description="SHA-256.")
]

_CONTENT = {media: {"schema": {"type": "string", "format": "binary"}}
            for media in rules.MEDIA_TYPES}  # fmt: skip


@router.post(
    "/api/orders/{order_id}/documents",
    status_code=201,
    summary="Attach a decision document or evidence to an order",
    response_model=DocumentOut,
    responses={
        200: {"model": DocumentOut, "description": "A dry run: what it would attach"},
        **contract.problems(409),
    },
    openapi_extra={"requestBody": {"required": True, "content": _CONTENT}},
)
async def attach(
    order_id: Id,
    request: Request,
    rt: Rt,
    principal: Writer,
    kind: Annotated[
        str,
        Query(
            description="decision (a PDF) or evidence.",
            # Stated here, checked by the registry with every other reason (422).
            json_schema_extra={"enum": [k.value for k in DocumentKind]},
        ),
    ],
    target: Annotated[
        str | None, Query(max_length=1000, description="For evidence: the target it is about.")
    ] = None,
    filename: Annotated[str | None, Query(max_length=1000, description="The file's name.")] = None,
    captured_at: Annotated[
        str | None, Query(max_length=100, description="When the evidence was captured.")
    ] = None,
    captured_by: Annotated[
        str | None, Query(max_length=1000, description="Who captured the evidence.")
    ] = None,
    dry_run: Annotated[bool, Query(description="Check the document; store nothing.")] = False,
) -> JSONResponse:
    """The body is the document; its `Content-Type` the type it claims to be."""
    data = await request.body()
    upload = documents.Upload(
        data,
        kind,
        filename=filename,
        content_type=request.headers.get("content-type"),
        target=target,
        captured_at=parse_instant(captured_at) if captured_at else None,
        captured_by=captured_by,
    )
    done = await run_in_threadpool(_attach, rt, order_id, upload, principal.actor, dry_run)
    answer = views.document(done)
    if dry_run:
        return JSONResponse(answer | {"dry_run": True}, 200)
    return JSONResponse(answer, 201)


def _attach(
    rt: Runtime, order_id: int, upload: documents.Upload, actor: str, dry_run: bool
) -> Attached:
    now = rt.clock.now()
    storage = rt.settings.documents
    if dry_run:  # kept in the rolled-back row, not written to a file that would outlive it
        storage = replace(storage, directory=None)
    with rt.rehearse() if dry_run else rt.begin() as conn:
        return documents.attach(conn, order_id, upload, now, actor, storage)


@router.get(
    "/api/orders/{order_id}/documents",
    summary="The documents an order carries",
    response_model=DocumentsOut,
    responses=contract.problems(403),
)
def listing(order_id: Id, rt: Rt, principal: Reader) -> dict[str, Any]:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id, principal)
        found = documents.of_order(conn, order.id)
    return {"id": order.id, "documents": [views.document(d) for d in found]}


_DOWNLOAD = contract.download(rules.MEDIA_TYPES, "The document, typed by its content.")


@router.get(
    "/api/orders/{order_id}/documents/{sha256}",
    summary="One document of an order",
    response_class=Response,
    responses={**_DOWNLOAD, **contract.problems(403)},
)
def read(order_id: Id, sha256: Digest, rt: Rt, principal: Reader) -> Response:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id, principal)
        doc, data = documents.read(conn, order.id, sha256, rt.settings.documents)
    return download(doc, data, public=False)


@router.get(
    "/api/public/orders/{order_id}/documents/{sha256}",
    summary="One document of an order that is not confidential",
    response_class=Response,
    responses=_DOWNLOAD,
)
def public_read(order_id: Id, sha256: Digest, rt: Rt) -> Response:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id)
        if order.terms.confidential:
            raise NotFound(
                f"order {order_id} is confidential: the public register shows only the "
                "digests of its documents"
            )
        doc, data = documents.read(conn, order.id, sha256, rt.settings.documents)
    return download(doc, data, public=True)
