"""Name normalisation under arbitrary input: any text (or bytes as a file or a form would
deliver them) is either a valid DNS name or refused with `InvalidName` — never another
exception — and what is accepted is canonical: idempotent, at most 255 octets on the
wire, LDH A-labels that IDNA 2008 decodes and re-encodes to themselves."""

from __future__ import annotations

import re

import dns.name
import idna
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arret.domain.names import check_target, check_targets, normalize, to_unicode
from arret.errors import InvalidName, InvalidTargets

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")

# Every code point, surrogates and unassigned ones included: a name can arrive from a
# file decoded with surrogateescape or from JSON with a lone "\udc80" escape.
any_char = st.characters(codec=None, exclude_categories=())
dots = st.sampled_from([".", "\u3002", "\uff0e", "\uff61", ".."])
label_chars = st.one_of(
    st.sampled_from("abcxyzXYZ019-_*:/@[] \t%ß\u00df\u00fc\u0130\u03c2\u200d\u00ad\ufe0f"),
    st.characters(categories=["Ll", "Lu", "Lo", "Mn", "Nd", "Pd", "Cf", "Zs"]),
)
labels = st.one_of(
    st.text(label_chars, min_size=0, max_size=70),
    st.sampled_from(
        [
            "xn--",
            "xn--bcher-kva",
            "xn--zz",
            "XN--ABC",
            "0x7f",
            "1",
            "a" * 64,
            "rpz-ip",
            "onion",
            "local",
            "arpa",
        ]
    ),
)
structured = st.builds(
    lambda parts, seps, tail: "".join(p + s for p, s in zip(parts, seps, strict=False)) + tail,
    st.lists(labels, min_size=1, max_size=8),
    st.lists(dots, min_size=8, max_size=8),
    st.sampled_from(["", ".", " ", "\n", "/", ":53"]),
)
from_bytes = st.builds(
    lambda raw, codec: raw.decode(codec, errors="surrogateescape"),
    st.binary(max_size=300),
    st.sampled_from(["utf-8", "latin-1"]),
)
inputs = st.one_of(st.text(any_char, max_size=300), structured, from_bytes)


def assert_canonical(name: str) -> None:
    assert name == name.strip().lower() and name.isascii()
    assert not name.endswith(".")
    parts = name.split(".")
    assert len(parts) >= 2
    for part in parts:
        assert _LABEL.fullmatch(part), (name, part)
    wire = dns.name.from_text(name).to_wire()
    assert wire is not None and len(wire) <= 255
    # IDNA 2008: the A-labels decode, and their U-labels encode back to the same octets.
    assert idna.encode(idna.decode(name)).decode("ascii") == name
    assert to_unicode(name)  # display never fails on an accepted name


@FUZZ
@given(inputs)
@example("\udc80.example")
@example("a." * 126 + "example")
@example("xn--.example")
@example("\u0000.example")
def test_any_input_is_a_canonical_name_or_invalid_name(text: str) -> None:
    try:
        name = normalize(text)
    except InvalidName as err:
        assert err.name == text and err.reason
        return
    assert_canonical(name)
    assert normalize(name) == name  # idempotent
    assert normalize(name.upper() + ".") == name


@FUZZ
@given(inputs)
def test_a_target_check_refuses_only_with_invalid_name(text: str) -> None:
    try:
        name = check_target(text, frozenset({"allowed.example"}))
    except InvalidName:
        return
    assert_canonical(name)
    assert check_target(name) == name


@settings(max_examples=100, deadline=None)
@given(st.lists(inputs, max_size=12))
def test_many_targets_are_all_accepted_or_all_reported(texts: list[str]) -> None:
    try:
        accepted = check_targets(texts)
    except InvalidTargets as err:
        assert err.problems and len(err.reasons) == len(err.problems) <= len(texts)
        return
    assert len(accepted) == len(texts) == len(set(accepted))
