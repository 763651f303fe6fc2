"""Free text in the registry: what each field may hold, on every way in (CLI, API, web)
alike, because the check is here, in the domain."""

from __future__ import annotations

import pytest

from arret.domain import text
from arret.domain.text import LEGAL_BASIS, NOTICE, REFERENCE, problems, strip_bidi


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\r"])
def test_a_one_line_field_refuses_every_control_character(char: str) -> None:
    found = problems(REFERENCE, f"RG 21{char}51823")
    assert len(found) == 1
    assert found[0].startswith("reference: a control character U+") and "character 6" in found[0]


def test_multi_line_text_keeps_its_lines_and_tabs_but_not_nul() -> None:
    assert problems(NOTICE, "Blocked by order RG 21/51823.\r\n\tSee the register.\n") == []
    assert problems(LEGAL_BASIS, "Article 6-3\x00 LCEN") == [
        "legal_basis: a control character U+0000 (control character) at character 12; remove it"
    ]


@pytest.mark.parametrize("char", sorted(text.BIDI_CONTROLS))
def test_bidirectional_formatting_characters_are_refused(char: str) -> None:
    (reason,) = problems(REFERENCE, f"RG {char}32815/12")
    assert "bidirectional formatting character" in reason and f"U+{ord(char):04X}" in reason


def test_right_to_left_text_itself_is_accepted() -> None:
    assert problems(NOTICE, "محجوب بأمر قضائي") == []
    assert problems(REFERENCE, "תיק 21/51823") == []


def test_an_unpaired_surrogate_is_not_text() -> None:
    (reason,) = problems(REFERENCE, "RG \ud800")
    assert "unpaired surrogate U+D800" in reason


def test_lengths_are_bounded() -> None:
    assert problems(REFERENCE, "x" * 200) == []
    assert problems(REFERENCE, "x" * 201) == [
        "reference: 201 characters, more than the 200 allowed"
    ]
    assert problems(LEGAL_BASIS, "x" * 10**6) == [
        "legal_basis: 1000000 characters, more than the 4000 allowed"
    ]


def test_every_field_is_checked_at_once() -> None:
    reasons = text.check((REFERENCE, "a\x00"), (NOTICE, "ok"), (text.AUTHORITY, "\u202ecourt"))
    assert [r.split(":")[0] for r in reasons] == ["reference", "authority"]


def test_display_strips_bidirectional_formatting() -> None:
    assert strip_bidi("RG \u202e21/51823\u202c \u200fok") == "RG 21/51823 ok"
