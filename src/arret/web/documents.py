"""Documents in the web UI: the authority attaches a decision or evidence from an order's
page (a form with the session's CSRF token, like every other), whoever reads the order
downloads them, and the public register offers those of an order that is not
confidential."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from arret.domain.instants import parse_instant
from arret.errors import ArretError, DocumentTooLarge, NotFound
from arret.http.deps import Id, Rt
from arret.http.documents import download
from arret.services import documents, queries
from arret.web import session
from arret.web.orders import order_page_of, require_authority

router = APIRouter(include_in_schema=False)

#: The file read from an upload at most: one byte more than the largest kept, so that a
#: larger one is refused for its size without reading it all.
_READ_MORE = 1


@router.post("/orders/{order_id}/documents")
def attach(
    order_id: Id,
    request: Request,
    rt: Rt,
    file: Annotated[UploadFile | None, File()] = None,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    captured_at: Annotated[str, Form()] = "",
    captured_by: Annotated[str, Form()] = "",
) -> Response:
    user = require_authority(request, rt)
    session.check_csrf(request, csrf)
    form = {"kind": kind, "target": target, "captured_at": captured_at,
            "captured_by": captured_by}  # fmt: skip
    storage = rt.settings.documents
    try:
        data = b"" if file is None else file.file.read(storage.max_size + _READ_MORE)
        upload = documents.Upload(
            data,
            kind,
            filename=None if file is None else file.filename,
            content_type=None if file is None else file.content_type,
            target=target.strip() or None,
            captured_at=parse_instant(captured_at) if captured_at.strip() else None,
            captured_by=captured_by.strip() or None,
        )
        with rt.begin() as conn:
            documents.attach(conn, order_id, upload, rt.clock.now(), user.actor, storage)
    except NotFound:
        raise
    except ArretError as error:
        status = 413 if isinstance(error, DocumentTooLarge) else 422
        return order_page_of(
            request, rt, user, order_id, document_form=form, document_error=error, status=status
        )
    session.flash(request, "The document was attached.")
    return RedirectResponse(f"/orders/{order_id}#documents", 303)


@router.get("/orders/{order_id}/documents/{sha256}")
def read(order_id: Id, sha256: str, request: Request, rt: Rt) -> Response:
    user = session.require(request, rt)
    with rt.read() as conn:
        order = queries.order_head(conn, order_id, user)
        doc, data = documents.read(conn, order.id, sha256, rt.settings.documents)
    return download(doc, data, public=False)


@router.get("/register/{order_id}/documents/{sha256}")
def public_read(order_id: Id, sha256: str, rt: Rt) -> Response:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id)
        if order.terms.confidential:
            raise NotFound(
                f"order {order_id} is confidential: the register shows only the digests of "
                "its documents"
            )
        doc, data = documents.read(conn, order.id, sha256, rt.settings.documents)
    return download(doc, data, public=True)
