"""What a target name may be, and what is refused so that no bystander is blocked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from arret.domain import names
from arret.domain.names import (
    check_target,
    check_targets,
    covering_entry,
    is_public_suffix,
    is_under,
    normalize,
    to_unicode,
)
from arret.errors import InvalidName, InvalidTargets


def refusal(text: str, allowed: frozenset[str] = frozenset()) -> InvalidName:
    """The refusal of `text` as a target; its message always quotes the input as given."""
    with pytest.raises(InvalidName) as caught:
        check_target(text, allowed)
    err = caught.value
    assert err.name == text
    assert repr(text) in err.summary
    assert err.reason in err.summary
    return err


# --- accepted spellings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("leak.example", "leak.example"),
        ("LEAK.Example", "leak.example"),
        ("leak.example.", "leak.example"),
        ("  leak.example.\n", "leak.example"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.EXAMPLE.", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
        ("leak。example", "leak.example"),  # ideographic full stop
        ("leak\uff0eexample", "leak.example"),  # full-width full stop
        ("\uff4c\uff45\uff41\uff4b.example", "leak.example"),  # full-width letters: UTS #46
        ("faß.de", "xn--fa-hia.de"),  # IDNA 2008 keeps ß (IDNA 2003 made it "ss")
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("123.example", "123.example"),  # numeric labels are fine below the top
        ("a" * 63 + ".example", "a" * 63 + ".example"),
    ],
)
def test_normalize_accepts(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_longest_name_is_accepted() -> None:
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(name) == 253
    assert normalize(name) == name
    assert normalize(name + ".") == name


def test_to_unicode_round_trip_and_fallback() -> None:
    assert to_unicode("xn--bcher-kva.example") == "bücher.example"
    assert to_unicode("leak.example") == "leak.example"
    assert to_unicode("xn--zz.example") == "xn--zz.example"


# --- refusals, one class at a time ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "192.0.2.1",
        "::1",
        "2001:db8::1",
        "[::1]",
        "[2001:db8::1]",
        "192.0.2.0/24",
        "2001:db8::/32",
        "fe80::1%eth0",
        "\uff11\uff19\uff12.\uff10.\uff12.\uff11",  # full-width digits: an IPv4 address
    ],
)
def test_ip_addresses_are_refused(text: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("an IP address;")
    assert "bystander" in err.reason
    assert "DNS name instead" in err.reason


@pytest.mark.parametrize("text", ["1.2.3", "0x7f.1", "leak.123", "leak.0x1f"])
def test_numeric_top_labels_are_refused_as_addresses(text: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("an IP address;")
    assert "is a number" in err.reason


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://leak.example/some/page?x=1", "leak.example"),
        ("http://Leak.Example:8080/", "leak.example"),
        ("leak.example/path", "leak.example"),
        ("leak.example:443", "leak.example"),
        ("ftp://user:pw@leak.example/", "leak.example"),
    ],
)
def test_urls_are_refused_with_their_host(text: str, host: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("a URL;")
    assert f"give its host part {host!r}" in err.reason
    assert "scope subtree" in err.reason


@pytest.mark.parametrize("text", ["https://192.0.2.1/page", "http://[2001:db8::1]:80/", "[::1]:53"])
def test_urls_on_ip_addresses_say_so(text: str) -> None:
    err = refusal(text)
    assert "IP address" in err.reason
    assert "host part" not in err.reason


def test_url_whose_host_is_no_target_does_not_suggest_it() -> None:
    err = refusal("https://github.io/leak")
    assert "host part 'github.io' is not blockable" in err.reason
    assert "public suffix" in err.reason
    err = refusal("leak.example:notaport")
    assert "host part" not in err.reason


def test_wildcard_is_refused_with_its_parent() -> None:
    err = refusal("*.leak.example")
    assert err.reason == (
        "a wildcard; give 'leak.example' with scope subtree (the default), which blocks it "
        "and every name below it"
    )


@pytest.mark.parametrize("text", ["*", "a.*.example", "le*k.example", "*.*.example", "leak.*"])
def test_any_star_is_refused(text: str) -> None:
    assert refusal(text).reason.startswith("a wildcard")


def test_wildcard_over_a_public_suffix_does_not_suggest_it() -> None:
    err = refusal("*.github.io")
    assert "'github.io', is not blockable" in err.reason
    assert "public suffix" in err.reason


@pytest.mark.parametrize("text", ["", "   ", ".", "\t\n"])
def test_empty_names_are_refused(text: str) -> None:
    assert refusal(text).reason.startswith("an empty name")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a..example", "label 2 of 3: two dots in a row"),
        ("leak.example..", "label 3 of 3: two dots in a row"),
        ("leak。。example", "label 2 of 3: two dots in a row"),
        ("\u00ad.example", "label 1 of 2: only characters that UTS #46 deletes"),
    ],
)
def test_empty_labels_are_refused(text: str, where: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("an empty label")
    assert where in err.reason


def test_leading_dot_is_refused_with_the_name_to_give() -> None:
    err = refusal(".leak.example")
    assert err.reason.startswith("starts with a dot")
    assert "give 'leak.example'" in err.reason


def test_label_over_63_octets_is_refused() -> None:
    label = "a" * 64
    err = refusal(f"{label}.example")
    assert f"label {label!r} is 64 octets long" in err.reason
    assert "RFC 1035" in err.reason


def _han(n: int) -> str:
    """`n` spread-out CJK characters: each costs several octets once Punycode-encoded."""
    return "".join(chr(0x4E00 + i * 997) for i in range(n))


def _alabel_length(label: str) -> int:
    return len("xn--" + label.encode("punycode").decode("ascii"))


def test_label_length_is_measured_as_an_a_label() -> None:
    label = _han(20)
    octets = _alabel_length(label)
    assert len(label) == 20
    assert octets > 63
    err = refusal(f"{label}.example")
    assert f"label {label!r} is {octets} octets long as an A-label" in err.reason


def test_name_over_253_octets_is_refused() -> None:
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 62])
    assert len(name) == 254
    err = refusal(name)
    assert err.reason.startswith("254 octets long")
    assert "253" in err.reason


def test_name_length_is_measured_as_a_labels() -> None:
    label = _han(10)
    name = ".".join([label] * 8) + ".example"
    octets = 8 * _alabel_length(label) + 7 + len(".example")
    assert len(name) < 100 < 253 < octets
    err = refusal(name)
    assert err.reason.startswith(f"{octets} octets long")


def test_absurdly_long_input_is_refused_for_its_length() -> None:
    err = refusal("a." * 600 + "example")
    assert "long" in err.reason


@pytest.mark.parametrize("text", ["com", "example", "localhost", "LOCALHOST.", "bücher"])
def test_single_label_names_are_refused(text: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("a top-level name;")


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a_b.example", "U+005F"),
        ("xn--zz.example", "xn--zz"),
        ("ab--cd.example", "ab--cd"),
        ("-leak.example", "-leak"),
        ("leak-.example", "leak-"),
        ("le!ak.example", "U+0021"),
        ("⒈example", "U+2488"),
    ],
)
def test_what_idna_refuses_is_refused_with_its_reason(text: str, detail: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("not a valid DNS name (IDNA 2008, RFC 5891)")
    assert detail in err.reason


def test_whitespace_inside_is_refused() -> None:
    assert refusal("leak.example other.example").reason.startswith("contains whitespace")


# --- public suffixes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["gg", "com", "co.uk", "github.io", "blogspot.com", "foo.ck", "ck", "x.kobe.jp"]
)
def test_public_suffixes(name: str) -> None:
    assert is_public_suffix(name)


@pytest.mark.parametrize(
    "name",
    ["leak.github.io", "leak.gg", "leak.example", "example", "www.ck", "city.kobe.jp", "a.b.co.uk"],
)
def test_not_public_suffixes(name: str) -> None:
    assert not is_public_suffix(name)


def test_public_suffix_list_is_loaded_once() -> None:
    for name in ("leak.example", "xn--r8jz45g.jp", "例え.jp"):
        assert names._public_suffix_list(name) is names._public_suffix_list(name)
        assert names._public_suffix_list(name).accept_unknown is False


def test_the_fast_public_suffix_list_answers_as_the_library_builds_it() -> None:
    """arret reads the shipped list without letting the library IDNA-encode its ASCII
    rules, and looks a name without "xn--" up in the list without A-label rules; the
    rules, and the answers about every rule and the names around it, are the library's."""
    reference = PublicSuffixList(accept_unknown=False)
    fast = names.load_public_suffix_list()
    assert fast._publicsuffix == reference._publicsuffix
    assert fast._maxlabel == reference._maxlabel
    plain = names.load_public_suffix_list(a_labels=False)
    assert plain._maxlabel == reference._maxlabel
    assert plain._publicsuffix < reference._publicsuffix
    assert all("xn--" in rule for rule in reference._publicsuffix - plain._publicsuffix)
    rules = {rule.lstrip("!").replace("*", "x") for rule in reference._publicsuffix}
    assert any(not rule.isascii() for rule in rules)  # both forms of IDN rules are checked
    assert any(rule.startswith("xn--") for rule in rules)
    probes = {"", ".", "com.", "example", "leak.example", "x.kobe.jp", "city.kobe.jp"}
    for rule in rules:
        probes |= {rule, "leak." + rule, "a.b." + rule, rule.partition(".")[2], rule.upper()}
    for name in sorted(probes):
        assert is_public_suffix(name) == reference.is_public(name), name
        assert fast.privatesuffix(name) == reference.privatesuffix(name), name


def test_public_suffix_rules_add_the_a_label_form_of_idn_rules_only() -> None:
    wide_e = "\N{FULLWIDTH LATIN CAPITAL LETTER E}"  # lowercased, then mapped to "e"
    snapshot = f"// comment é\nCOM\n\n// ===BEGIN===\n例え.jp\n!{wide_e}x.例え.jp extra\n*.ck\n"
    snapshot = snapshot.encode()
    added = names.psl_rules(snapshot)[len(snapshot.splitlines()) :]
    assert added == [b"xn--r8jz45g.jp", b"!ex.xn--r8jz45g.jp"]


def test_sites_under_public_suffixes_are_accepted() -> None:
    assert check_target("leak.github.io") == "leak.github.io"
    assert check_target("Leak.GG") == "leak.gg"
    assert check_target("www.ck") == "www.ck"


@pytest.mark.parametrize("text", ["github.io", "co.uk", "CO.UK.", "blogspot.com", "foo.ck"])
def test_public_suffixes_are_refused(text: str) -> None:
    err = refusal(text)
    assert err.reason.startswith("a public suffix (Public Suffix List);")
    assert f"'leak.{text.lower().rstrip('.')}'" in err.reason


def test_gg_is_refused() -> None:
    refusal("gg")


# --- allow-list -----------------------------------------------------------------------------

ALLOWED = frozenset({"example.com", "gov.example"})


def test_allow_listed_name_is_refused() -> None:
    err = refusal("Example.COM.", ALLOWED)
    assert err.reason.startswith("on the allow-list (entry 'example.com');")
    assert "never blocked" in err.reason


def test_name_under_an_allow_listed_name_is_refused() -> None:
    err = refusal("mail.ministry.gov.example", ALLOWED)
    assert "(entry 'gov.example')" in err.reason


def test_allow_list_respects_label_boundaries() -> None:
    assert check_target("evilexample.com", ALLOWED) == "evilexample.com"
    assert check_target("example.com.evil.example", ALLOWED) == "example.com.evil.example"


def test_covering_entry() -> None:
    entries = frozenset({"example.com", "a.b.example", "b.example"})
    assert covering_entry("example.com", entries) == "example.com"
    assert covering_entry("x.y.example.com", entries) == "example.com"
    assert covering_entry("c.a.b.example", entries) == "a.b.example"  # nearest first
    assert covering_entry("c.b.example", entries) == "b.example"
    assert covering_entry("evilexample.com", entries) is None
    assert covering_entry("com", entries) is None
    assert covering_entry("example.com", frozenset()) is None


def test_covering_entry_does_not_scan_the_set() -> None:
    class NoIteration(frozenset[str]):
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("covering_entry must look names up, not scan")

    entries = NoIteration({"b.example"})
    assert covering_entry("a.b.example", entries) == "b.example"


def test_is_under() -> None:
    assert is_under("example.com", "example.com")
    assert is_under("a.example.com", "example.com")
    assert not is_under("evilexample.com", "example.com")
    assert not is_under("example.com", "a.example.com")
    assert not is_under("com", "example.com")


# --- many targets at once -----------------------------------------------------------------


def test_check_targets_returns_input_order() -> None:
    texts = ["z.example", "Bücher.example", "a.example", "LEAK.github.io."]
    assert check_targets(texts) == [
        "z.example",
        "xn--bcher-kva.example",
        "a.example",
        "leak.github.io",
    ]


def test_check_targets_reports_every_bad_one() -> None:
    texts = [
        "ok.example",
        "192.0.2.1",
        "https://leak.example/x",
        "github.io",
        "news.example.com",
        "*.x.example",
        "fine.example",
        "a..b",
    ]
    with pytest.raises(InvalidTargets) as caught:
        check_targets(texts, ALLOWED)
    bad = [p.name for p in caught.value.problems]
    assert bad == [
        "192.0.2.1",
        "https://leak.example/x",
        "github.io",
        "news.example.com",
        "*.x.example",
        "a..b",
    ]
    report = caught.value.diagnostics()
    assert report.startswith("6 bad targets; nothing was registered")
    for text in bad:
        assert repr(text) in report


def test_duplicates_after_normalization_are_bad_targets() -> None:
    with pytest.raises(InvalidTargets) as caught:
        check_targets(["Leak.example", "other.example", "leak.example.", "Leak.example"])
    problems = caught.value.problems
    assert [p.name for p in problems] == ["leak.example.", "Leak.example"]
    assert all("given twice (as 'Leak.example')" in p.reason for p in problems)


def test_check_targets_accepts_any_iterable_and_nothing() -> None:
    assert check_targets(iter(["a.example", "b.example"])) == ["a.example", "b.example"]
    assert check_targets([]) == []


# --- the fast path ----------------------------------------------------------------------------

_LDH = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

# Anything made of LDH characters and dots, including the awkward cases ("--", "xn--",
# leading or trailing hyphens, empty labels, numeric top labels, over-long labels).
ldh_strings = st.text(alphabet=_LDH + ".", min_size=1, max_size=80)

# Plausible names, so that the fast path is really taken most of the time.
ldh_labels = st.one_of(
    st.from_regex(r"\A[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?\Z"),
    # hyphens in positions 3-4: reserved (RFC 5891 §4.2.3.1), idna's to judge
    st.from_regex(r"\A[a-zA-Z0-9]{2}--[a-zA-Z0-9-]{0,8}\Z"),
    st.sampled_from(["xn--bcher-kva", "XN--BCHER-KVA", "xn--zz", "xn--", "0x7f", "1"]),
)
ldh_names = st.builds(
    lambda labels, dot: ".".join(labels) + dot,
    st.lists(ldh_labels, min_size=2, max_size=5),
    st.sampled_from(["", "."]),
)


def _slow_or_error(text: str) -> str:
    try:
        return names._slow_normalize(text, text.strip())
    except InvalidName as err:
        return f"refused: {err.reason}"


@given(st.one_of(ldh_strings, ldh_names))
def test_fast_path_agrees_with_idna(text: str) -> None:
    fast = names._fast_normalize(text)
    if fast is not None:
        assert _slow_or_error(text) == fast
    # whatever path it takes, normalize is the full path's answer
    try:
        result = normalize(text)
    except InvalidName as err:
        result = f"refused: {err.reason}"
    assert result == _slow_or_error(text)


@given(ldh_names)
def test_fast_path_takes_plain_names(text: str) -> None:
    core = text.rstrip(".").lower()
    top = core.rpartition(".")[2]
    plain = "--" not in {label[2:4] for label in core.split(".")} and not (
        top.isdigit() or top.startswith("0x")
    )
    if plain:
        assert names._fast_normalize(text) == core


def test_fast_path_does_not_call_idna(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("idna called on the fast path")

    monkeypatch.setattr(names.idna, "encode", boom)
    assert normalize("Leak.Example.") == "leak.example"
    with pytest.raises(AssertionError):
        normalize("Bücher.example")
