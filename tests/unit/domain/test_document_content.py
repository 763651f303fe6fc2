"""What a document is, read from its content: the four types kept, markup refused under
any name, claims checked against content, and names made safe to offer for download."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from arret.domain import documents as d
from arret.domain.documents import DocumentKind

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, d.PDF),
        (PNG, d.PNG),
        (JPEG, d.JPEG),
        (b"plain words\nand a tab\there\r\n", d.TEXT),
        ("déjà vu — « guillemets »\n".encode(), d.TEXT),
        (b"\xef\xbb\xbfwith a byte order mark", d.TEXT),
        # Markup, whatever follows and however it starts (the WHATWG patterns and more).
        (b"<!DOCTYPE html><p>x", "text/html"),
        (b"<html>", "text/html"),
        (b"  \n\t<script>alert(1)</script>", "text/html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>", "text/html"),
        (b"<?xml version='1.0'?><x/>", "text/html"),
        (b"<!-- a comment -->", "text/html"),
        (b"\xef\xbb\xbf<body onload=x()>", "text/html"),
        (b"</p>", "text/html"),
        # Not markup: a less-than sign in prose.
        (b"< 5 mg per dose", d.TEXT),
        # Neither of the four.
        (b"GIF89a\x01\x00", None),
        (b"PK\x03\x04zip", None),
        (b"text with a NUL\x00", None),
        (b"\xff\xfe\x00t\x00e", None),
        (b"bell \x07", None),
        # A PDF signature alone decides: its bytes after are the reader's affair.
        (b"%PDF-1.4\n<html><script>x</script>", d.PDF),
    ],
)
def test_the_type_is_read_from_the_content(data: bytes, expected: str | None) -> None:
    assert d.sniff(data) == expected


@pytest.mark.parametrize(
    ("filename", "content_type", "claimed"),
    [
        ("decision.pdf", None, d.PDF),
        ("CAPTURE.JPEG", None, d.JPEG),
        ("capture.jpg", "application/octet-stream", d.JPEG),
        ("capture.png", "image/png; charset=binary", d.PNG),
        ("notes.txt", "text/plain; charset=utf-8", d.TEXT),
        # The header wins over the name when it says something.
        ("decision.pdf", "text/html", "text/html"),
        ("archive.zip", None, ".zip"),
        ("noextension", None, None),
        (".hidden", None, None),
        (None, None, None),
    ],
)
def test_what_a_file_claims_to_be(
    filename: str | None, content_type: str | None, claimed: str | None
) -> None:
    assert d.claimed_type(filename, content_type) == claimed


def test_a_document_accepted_has_its_digest_size_and_type() -> None:
    checked, reasons = d.check(PDF, DocumentKind.DECISION, d.PDF)
    assert reasons == []
    assert checked == d.Checked(hashlib.sha256(PDF).hexdigest(), len(PDF), d.PDF)
    checked, reasons = d.check(PNG, DocumentKind.EVIDENCE, None)
    assert reasons == [] and checked is not None and checked.media_type == d.PNG


@pytest.mark.parametrize(
    ("data", "kind", "claimed", "words"),
    [
        (b"<html>", DocumentKind.DECISION, d.PDF, "HTML or other markup (sent as application/pdf)"),
        (b"<html>", DocumentKind.EVIDENCE, None, "HTML or other markup: it is never accepted"),
        (PNG, DocumentKind.EVIDENCE, d.PDF, "claims to be application/pdf but its content is"),
        (PNG, DocumentKind.DECISION, None, "a decision document must be application/pdf"),
        (b"", DocumentKind.DECISION, d.PDF, "the file is empty"),
        (b"GIF89a\x01\x00", DocumentKind.EVIDENCE, "image/gif", "none of PDF, PNG, JPEG"),
        (b"bell \x07", DocumentKind.EVIDENCE, d.TEXT, "holds the control character U+0007"),
        (PDF + b"x" * 100, DocumentKind.DECISION, d.PDF, "at most 50 are accepted"),
    ],
)
def test_a_document_refused_says_why(
    data: bytes, kind: DocumentKind, claimed: str | None, words: str
) -> None:
    checked, reasons = d.check(data, kind, claimed, max_size=50)
    assert checked is None
    assert any(words in r for r in reasons), reasons


def test_a_mislabelled_decision_gives_every_reason() -> None:
    _, reasons = d.check(b"plain text", DocumentKind.DECISION, d.PDF)
    assert reasons == [
        "the file claims to be application/pdf but its content is text/plain",
        "a decision document must be application/pdf, not text/plain",
    ]


@given(st.binary(max_size=64))
@example(b"<")  # a lone "<" is text, not a tag (CI once drew it: b"" is "in" every bytes)
@example(b"<!doctype html>")
@example(b"\xef\xbb\xbf  </p>")
def test_nothing_accepted_as_text_starts_as_markup(data: bytes) -> None:
    """Whatever the bytes, what is kept as text never opens with a tag a browser would
    render (after white space and a byte order mark)."""
    if d.sniff(data) == d.TEXT:
        body = data.removeprefix(b"\xef\xbb\xbf").lstrip(b"\t\n\x0c\r ")
        second = body[1:2]
        assert not (body[:1] == b"<" and (second.isalpha() or second in (b"!", b"?", b"/")))


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("ordonnance 21-51823.pdf", "ordonnance 21-51823.pdf"),
        ("C:\\Users\\greffe\\decision.pdf", "decision.pdf"),
        ("../../etc/passwd", "passwd"),
        ("evil\u202egnp.pdf", "evilgnp.pdf"),
        ("line\nbreak.txt", "linebreak.txt"),
        ("...", "0123456789abcdef.pdf"),
        (None, "0123456789abcdef.pdf"),
        ("x" * 300 + ".pdf", "x" * 200),
    ],
)
def test_file_names_are_kept_without_paths_controls_or_overrides(
    name: str | None, kept: str
) -> None:
    assert d.clean_filename(name, "0123456789abcdef" + "0" * 48, d.PDF) == kept


def test_the_download_name_is_quoted_safely() -> None:
    assert d.content_disposition('a "quoted"; name.pdf') == (
        'attachment; filename="a _quoted__ name.pdf"; '
        "filename*=UTF-8''a%20%22quoted%22%3B%20name.pdf"
    )
    assert d.content_disposition("décision.pdf") == (
        "attachment; filename=\"d_cision.pdf\"; filename*=UTF-8''d%C3%A9cision.pdf"
    )


def test_digests_are_64_lower_case_hex_digits() -> None:
    assert d.is_digest("a" * 64)
    assert not d.is_digest("A" * 64)
    assert not d.is_digest("a" * 63)
    assert not d.is_digest("g" * 64)


def test_the_attach_event_round_trips_and_its_leaf_hides_a_confidential_target() -> None:
    from datetime import UTC, datetime

    from arret.domain.events import DocumentAttached, from_payload, to_payload
    from arret.tlog.leaves import canonical, commitment, committed_names, event_record

    at = datetime(2026, 12, 6, 12, tzinfo=UTC)
    event = DocumentAttached(3, at, "greffe", "evidence", "ab" * 32, 10, d.PNG,
                             "secret.example.png", "secret.example",
                             datetime(2026, 12, 1, tzinfo=UTC), "CNIL")  # fmt: skip
    assert from_payload(to_payload(event)) == event
    assert committed_names(event, lambda order: order == 3) == (True, ["secret.example"])
    salt = b"\x01" * 16
    public = canonical(event_record(9, event, False, lambda _: salt)).decode()
    assert '"target":"secret.example"' in public and "secret.example.png" in public
    hidden = canonical(event_record(9, event, True, lambda _: salt)).decode()
    assert "secret.example" not in hidden
    assert commitment(salt, "secret.example") in hidden
    assert f'"sha256":"{"ab" * 32}"' in hidden and '"filename":null' in hidden
