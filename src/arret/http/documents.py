"""An order's document as an HTTP answer, for the API and the web UI alike: typed by its
content, offered as a download, and never rendered as a page of this origin."""

from __future__ import annotations

from fastapi.responses import Response

from arret.domain import documents as rules
from arret.domain.documents import Attached

#: What a document is answered as: its sniffed type (text as UTF-8).
_TYPES = {rules.TEXT: "text/plain; charset=utf-8"}


def download(doc: Attached, data: bytes, public: bool) -> Response:
    """The document's bytes as an attachment (`Content-Disposition`), with the type its
    content was found to be, `nosniff` so that no browser guesses another, and a CSP
    sandbox in case one opens it all the same. `public`: cacheable by anyone (the URL
    names the digest, so it is always the same bytes)."""
    return Response(
        data,
        media_type=_TYPES.get(doc.media_type, doc.media_type),
        headers={
            "Content-Disposition": rules.content_disposition(doc.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "public, max-age=86400, immutable" if public else "private, no-store",
        },
    )
