"""Files that people sent, served back as downloads only: never rendered as a page."""

from __future__ import annotations

from fastapi.responses import Response

from arret.services.contests import StoredAttachment

_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def download(meta: StoredAttachment, content: bytes) -> Response:
    """A stored attachment with its sniffed type, as an attachment (never inline), with
    `nosniff` and a sandbox that runs nothing, whatever a browser makes of it."""
    extension = _EXTENSIONS.get(meta.media_type, "txt")
    text = meta.media_type == "text/plain"
    return Response(
        content,
        media_type=meta.media_type + ("; charset=utf-8" if text else ""),
        headers={
            "Content-Disposition": f'attachment; filename="attachment-{meta.id}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "no-store",
        },
    )
