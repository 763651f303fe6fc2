"""Documents an order carries — its decision (a PDF) and, per target, the evidence of what
the site showed — checked from their content before they are stored.

A document's type is read from its first bytes (as the WHATWG MIME Sniffing Standard
reads them), never taken from its name or from the `Content-Type` it came with: what it
claims to be must agree with what it is, and only PDF, PNG, JPEG and plain UTF-8 text are
kept. HTML (or any markup a browser could render as a page) is refused whatever it is
called, so that a file served back by the register can never become a page of its
origin. Each document is known by its SHA-256, which the transparency log records.
A contest's attachments are checked by the same functions (`sniff`, `refusal`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote


class DocumentKind(StrEnum):
    #: The decision itself (the court's order): a PDF.
    DECISION = "decision"
    #: What a target showed, when, by whom: a PDF, a screenshot or a text capture.
    EVIDENCE = "evidence"


PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
#: The types kept, and those each kind of document may have.
MEDIA_TYPES = (PDF, PNG, JPEG, TEXT)
ALLOWED = {DocumentKind.DECISION: (PDF,), DocumentKind.EVIDENCE: MEDIA_TYPES}
#: The file name extensions that say which type a file claims to be.
EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".txt": TEXT}
#: What a file is called when served, by type.
SUFFIX = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", TEXT: ".txt"}

#: The largest document kept by default, in bytes.
MAX_SIZE = 16 * 2**20

#: What marks markup at the start of a file (after white space and a byte order mark):
#: the WHATWG "identify an unknown MIME type" HTML and XML patterns start with `<` then a
#: letter, `!` or `?`; anything starting so is refused rather than served as text.
_WHITESPACE = b"\t\n\x0c\r "
_BOM = b"\xef\xbb\xbf"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff(data: bytes) -> str | None:
    """The type `data` is, from its content: one of MEDIA_TYPES, "text/html" for markup
    a browser could render, or None (anything else, binary or unknown)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    start = body.lstrip(_WHITESPACE)[:2]
    if start[:1] == b"<" and (start[1:2].isalpha() or start[1:2] in (b"!", b"?", b"/")):
        return "text/html"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _control(text) is not None:
        return None
    return TEXT


#: The only control characters plain text may hold: tab, line feed, form feed and
#: carriage return. Any other (NUL, bell, escape…) marks a binary file or a terminal trick.
_TEXT_CONTROLS = "\t\n\x0c\r"


def _control(text: str) -> str | None:
    """The first control character of `text` that plain text may not hold, if any."""
    return next(
        (c for c in text if unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS), None
    )


def refusal(data: bytes) -> str | None:
    """Why `data` is refused whatever it claims to be, in words that follow "its content
    is" (None: it is one of MEDIA_TYPES). One wording for every file kept from its content,
    an order's documents and a contest's attachments alike."""
    found = sniff(data)
    if found in MEDIA_TYPES:
        return None
    if found == "text/html":
        return "HTML or other markup, never accepted whatever the file is called"
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    try:
        control = _control(body.decode("utf-8"))
    except UnicodeDecodeError:
        control = None
    if control is not None:
        return (
            f"{_NONE}: it holds the control character U+{ord(control):04X}, and plain text "
            "may hold none but tab, line feed, form feed and carriage return"
        )
    return _NONE


_NONE = "none of PDF, PNG, JPEG or plain UTF-8 text"


def claimed_type(filename: str | None, content_type: str | None) -> str | None:
    """The type a file claims to be: its `Content-Type` (parameters aside) unless it is
    missing or the generic `application/octet-stream`, else its name's extension; None
    when it claims nothing."""
    if content_type:
        base = content_type.split(";", 1)[0].strip().lower()
        if base and base != "application/octet-stream":
            return base
    if filename:
        dot = filename.rfind(".")
        if dot > 0:
            return EXTENSIONS.get(filename[dot:].lower(), filename[dot:].lower())
    return None


@dataclass(frozen=True)
class Checked:
    """A document accepted: its digest, size and sniffed type."""

    sha256: str
    size: int
    media_type: str


def check(
    data: bytes, kind: DocumentKind, claimed: str | None, max_size: int = MAX_SIZE
) -> tuple[Checked | None, list[str]]:
    """The document `data` of `kind`, claimed to be of type `claimed` (None: no claim),
    checked: the accepted document, or every reason it is refused."""
    reasons: list[str] = []
    if len(data) > max_size:
        reasons.append(f"the file is {len(data):,} bytes; at most {max_size:,} are accepted")
        return None, reasons
    if not data:
        return None, ["the file is empty"]
    found = sniff(data)
    allowed = ALLOWED[kind]
    if found == "text/html":
        as_what = f" (sent as {claimed})" if claimed else ""
        reasons.append(f"the file is HTML or other markup{as_what}: it is never accepted")
    elif found is None:
        reasons.append(
            f"the file's content is {refusal(data)}"
            + (f"; it claims to be {claimed}" if claimed else "")
        )
    else:
        if claimed is not None and claimed != found:
            reasons.append(f"the file claims to be {claimed} but its content is {found}")
        if found not in allowed:
            reasons.append(f"a {kind} document must be {' or '.join(allowed)}, not {found}")
    if reasons:
        return None, reasons
    assert found is not None
    return Checked(hashlib.sha256(data).hexdigest(), len(data), found), []


@dataclass(frozen=True)
class Attached:
    """A document as an order carries it."""

    order_id: int
    #: The `order.document` event that attached it (its log leaf records the digest).
    event_id: int
    kind: DocumentKind
    sha256: str
    size: int
    media_type: str
    filename: str
    attached_at: datetime
    target: str | None = None
    captured_at: datetime | None = None
    captured_by: str | None = None


def is_digest(text: str) -> bool:
    """Whether `text` is a SHA-256 digest as documents are named: 64 lower-case hex digits."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


#: The longest file name kept.
MAX_FILENAME = 200


def clean_filename(name: str | None, sha256: str, media_type: str) -> str:
    """A file name to keep and to offer for download: the last component of `name`,
    without control or bidirectional formatting characters, bounded; the digest when
    nothing is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ).strip(" .")
    if not kept:
        kept = sha256[:16] + SUFFIX.get(media_type, "")
    return kept[:MAX_FILENAME]


def content_disposition(filename: str) -> str:
    """`Content-Disposition` for a download (RFC 6266): `attachment`, never shown in the
    page, with an ASCII fallback name and the UTF-8 one (RFC 8187)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in filename)  # fmt: skip
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
