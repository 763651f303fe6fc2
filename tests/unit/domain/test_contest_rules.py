"""The rules of a contest, pure: what a claim may carry (files typed by their content,
whatever they are called), when it is due, and the proof of work."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from arret.domain.contests import (
    Attachment,
    Claim,
    Limits,
    Standing,
    attachment_problems,
    challenge,
    claim_problems,
    leading_zero_bits,
    proof_problem,
    secret_digest,
    secret_matches,
    solve,
)

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
KEY = b"k" * 32
LIMITS = Limits(pow_bits=8)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n...",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        "Un texte, en français.\n".encode(),
        b"\xef\xbb\xbfwith a byte order mark,\ta tab\r\nand a form feed\x0c",
        b"< 5 mg per dose",
        # Markup later in a text is the reader's text: the file is only ever a download
        # (text/plain, nosniff, attachment), and no browser sniffs past its first bytes.
        b"hello <script>alert(1)</script>",
    ],
)
def test_a_file_whose_content_is_one_of_the_four_types_is_kept(content: bytes) -> None:
    assert attachment_problems([Attachment("f", "", content)], LIMITS) == []


MARKUP = "HTML or other markup, never accepted whatever the file is called"
NOT_ONE = "none of PDF, PNG, JPEG or plain UTF-8 text"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # Markup at the start, after blanks or a byte order mark: any tag, not a list of
        # known ones.
        (b"<!DOCTYPE html><p>x", MARKUP),
        (b"  \n<html><body>", MARKUP),
        (b"<b>hi</b>", MARKUP),
        (b"<form action=x>", MARKUP),
        (b"\xef\xbb\xbf<html>", MARKUP),
        (b"\xef\xbb\xbf \r\n</p>", MARKUP),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", MARKUP),
        (b"<?xml version='1.0'?><x/>", MARKUP),
        (b"<!-- a comment -->", MARKUP),
        # Text holding a control character other than tab, line and form feed, return.
        (
            b"text with a NUL\x00",
            f"{NOT_ONE}: it holds the control character U+0000, and plain text may hold none but "
            "tab, line feed, form feed and carriage return",
        ),
        (b"bell \x07", f"{NOT_ONE}: it holds the control character U+0007"),
        (b"\x1b[31mred\x1b[0m", f"{NOT_ONE}: it holds the control character U+001B"),
        ("next line \u0085".encode(), f"{NOT_ONE}: it holds the control character U+0085"),
        # Neither of the four.
        (b"\xc3\x28 not UTF-8", NOT_ONE),
        (b"MZ\x90\x00 an executable", NOT_ONE),
        (b"GIF89a\x01\x00", NOT_ONE),
    ],
)
def test_a_file_whose_content_is_not_kept_says_why(content: bytes, reason: str) -> None:
    problems = attachment_problems([Attachment("notes.txt", "text/plain", content)], LIMITS)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"attachment 1 ('notes.txt'): its content is {reason}")


def test_a_file_named_or_declared_otherwise_is_refused() -> None:
    html_as_pdf = Attachment("report.pdf", "application/pdf", b"<html><script>x</script>")
    png_as_pdf = Attachment("scan.pdf", "application/pdf", b"\x89PNG\r\n\x1a\n")
    unknown_type = Attachment("scan.png", "application/octet-stream", b"\x89PNG\r\n\x1a\n")
    problems = attachment_problems([html_as_pdf, png_as_pdf, unknown_type], LIMITS)
    assert problems == [
        f"attachment 1 ('report.pdf'): its content is {MARKUP}",
        "attachment 2 ('scan.pdf'): declared application/pdf, but its content is image/png",
    ]


def test_sizes_and_counts_are_bounded() -> None:
    limits = Limits(max_attachments=2, max_attachment=10, max_attachments_total=15)
    files = [Attachment(f"{i}.txt", "", b"x" * n) for i, n in enumerate((10, 11, 9))]
    assert attachment_problems(files, limits) == [
        "attachments: 3 files, at most 2",
        "attachment 2 ('1.txt'): 11 bytes, more than 10",
        "attachments: 30 bytes in all, more than 15",
    ]


def test_every_problem_of_a_claim_at_once() -> None:
    claim = Claim("x.example", "judge", " ", "no-at-sign", (Attachment("a\x00", "", b"hi"),))
    problems = claim_problems(claim, LIMITS)
    assert problems[0].startswith("standing: 'judge' is not one of owner, host, user, other")
    assert problems[1].startswith("reason: say why")
    assert problems[2] == "contact: 'no-at-sign' is not an e-mail address (name@example.org)"
    assert "control character" in problems[3]
    assert claim_problems(Claim("x.example", "owner", "Wrong site.", "a@b.example"), LIMITS) == []


def test_a_bystanders_claim_is_due_sooner() -> None:
    assert LIMITS.due(Standing.HOST, NOW) == NOW + timedelta(hours=48)
    for standing in (Standing.OWNER, Standing.USER, Standing.OTHER):
        assert LIMITS.due(standing, NOW) == NOW + timedelta(days=15)


def test_leading_zero_bits() -> None:
    assert leading_zero_bits(b"\x00\x00\x80") == 16
    assert leading_zero_bits(b"\x00\x01") == 15
    assert leading_zero_bits(b"\xff") == 0
    assert leading_zero_bits(b"\x00\x00") == 16


def test_a_proof_of_work_is_checked_against_its_challenge() -> None:
    text = challenge(KEY, NOW, 8, b"n" * 12)
    answer = solve(text, 8)
    digest = hashlib.sha256(f"{text}:{answer}".encode()).digest()
    assert leading_zero_bits(digest) >= 8
    assert proof_problem(KEY, text, answer, NOW, LIMITS) is None

    def bits(n: int) -> int:
        return leading_zero_bits(hashlib.sha256(f"{text}:{n}".encode()).digest())

    wrong = next(str(n) for n in range(1000) if bits(n) < 8)
    assert "lacks 8 leading zero bits" in (proof_problem(KEY, text, wrong, NOW, LIMITS) or "")
    assert "not a challenge" in (proof_problem(b"other" * 7, text, answer, NOW, LIMITS) or "")
    forged = text.replace(".8.", ".1.", 1)
    assert "not a challenge" in (proof_problem(KEY, forged, answer, NOW, LIMITS) or "")
    later = NOW + timedelta(hours=1, seconds=1)
    assert "expired" in (proof_problem(KEY, text, answer, later, LIMITS) or "")
    easy = challenge(KEY, NOW, 4, b"n" * 12)
    assert "easier" in (proof_problem(KEY, easy, solve(easy, 4), NOW, LIMITS) or "")
    assert "decimal" in (proof_problem(KEY, text, "-1", NOW, LIMITS) or "")


def test_a_follow_up_secret_is_kept_as_its_digest() -> None:
    digest = secret_digest("s3cret")
    assert "s3cret" not in digest and len(digest) == 64
    assert secret_matches("s3cret", digest) and not secret_matches("s3cre", digest)
