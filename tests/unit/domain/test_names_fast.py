"""`check_targets` checks a million names through a fast path; it must say exactly what
checking each name on its own through the full path says: the same names, the same
refusals with the same reasons, in the same order."""

from __future__ import annotations

from pathlib import Path

import publicsuffixlist
from hypothesis import given, settings
from hypothesis import strategies as st

from arret.domain import names
from arret.domain.names import check_target, check_targets
from arret.errors import InvalidName, InvalidTargets

RESERVED = [("rpz.arret", "the feed's origin"), ("notice.arret.example", "the notice host")]
ALLOWED = frozenset({"allowed.example", "shop.co.uk", "sub.site.fr"})

_PSL = names._public_suffix_list()
# Every rule of the list, as a name: exceptions and wildcards without their sign.
RULES = sorted({r.lstrip("!").removeprefix("*.") for r in _PSL._publicsuffix})


def test_suffix_rules_agree_with_the_library_on_every_name_of_the_fast_path() -> None:
    """The fast path's rules are read from the list without the library (and without the
    A-label forms of its IDN rules): on every name the fast path takes, they answer as
    the library does; the names they could answer otherwise never take it."""
    rules = names._suffix_rules()
    taken = 0
    for rule in RULES:
        parent = rule.partition(".")[2]
        for name in (rule, f"a.{rule}", f"b.a.{rule}", f"www.{rule}", f"city.{rule}", parent):
            if names._FAST_NAME.fullmatch(name) is not None:
                taken += 1
                assert rules.is_public(name) == _PSL.is_public(name), name
            elif name and rules.is_public(name) != _PSL.is_public(name):
                assert "xn--" in name, name
    assert taken > 5 * len(RULES) // 2
    # The rules without the A-label forms, as the library parses them.
    plain = names.load_public_suffix_list(a_labels=False)._publicsuffix
    snapshot = Path(publicsuffixlist.PSLFILE).read_bytes()
    assert names.parse_psl_rules(snapshot) == plain


def _reference(texts: list[str]) -> list[str] | list[tuple[str, str]]:
    """Each name checked on its own by `check_target` (the full path: the library's
    suffix list, every rule in turn), duplicates refused as `check_targets` documents."""
    found: list[str] = []
    problems: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    for text in texts:
        try:
            name = check_target(text, ALLOWED, RESERVED)
        except InvalidName as err:
            problems.append((err.name, err.reason))
            continue
        if name in first:
            problems.append((text, f"given twice (as {first[name]!r}); give each name once"))
            continue
        first[name] = text
        found.append(name)
    return problems or found


def _fast(texts: list[str]) -> list[str] | list[tuple[str, str]]:
    try:
        return check_targets(texts, ALLOWED, RESERVED)
    except InvalidTargets as bad:
        return [(p.name, p.reason) for p in bad.problems]


_LDH = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
labels = st.one_of(
    st.from_regex(r"\A[a-zA-Z0-9]([a-zA-Z0-9-]{0,12}[a-zA-Z0-9])?\Z"),
    st.sampled_from(["xn--bcher-kva", "a--b", "ab--c", "rpz-ip", "x" * 63, "x" * 64, "0x7f",
                     "1", "www", "city", "-a", "a-", "", "Bücher", "*", "ÉCOLE"]),
)  # fmt: skip
tops = st.one_of(
    st.sampled_from(RULES),
    st.sampled_from(["onion", "local", "test", "arpa", "rpz.arret", "arret.example", "example",
                     "allowed.example", "co.uk", "site.fr", "123", "0xff"]),
    labels,
)  # fmt: skip
texts = st.one_of(
    st.builds(
        lambda front, top, dot, pad: pad + ".".join([*front, top]) + dot + pad,
        st.lists(labels, max_size=3),
        tops,
        st.sampled_from(["", ".", ".."]),
        st.sampled_from(["", " ", "\t"]),
    ),
    st.text(alphabet=_LDH + ".:/*[] ", max_size=40),
    st.text(max_size=20),
)


@settings(max_examples=600, deadline=None)  # the machine may be busy: no timing
@given(st.lists(texts, max_size=8))
def test_fast_path_gives_the_full_paths_names_and_reasons(given_texts: list[str]) -> None:
    assert _fast(given_texts) == _reference(given_texts)


@settings(deadline=None)
@given(texts)
def test_one_name_either_way(text: str) -> None:
    assert _fast([text]) == _reference([text])
    fast = names._fast_checker(ALLOWED, RESERVED)(text)
    if fast is not None:  # what the fast path accepts, idna accepts as the same name
        assert names._slow_normalize(text, text.strip()) == fast


def test_the_fast_path_takes_plain_names() -> None:
    check = names._fast_checker(frozenset(), ())
    assert check("Mirror-1.Leak.CO.UK.") == "mirror-1.leak.co.uk"
    assert check("www.ck") == "www.ck"  # an exception to "*.ck"
    for public in ("co.uk", "foo.ck", "ck", "github.io"):
        assert check(public) is None


def test_the_fast_path_leaves_every_reserved_case_to_the_full_check() -> None:
    """A reserved name, a name below one, and a name a reserved one lies below."""
    check = names._fast_checker(frozenset(), RESERVED)
    for near in ("rpz.arret", "x.rpz.arret", "notice.arret.example", "a.notice.arret.example",
                 "arret.example"):  # fmt: skip
        assert check(near) is None
    assert check("other.example") == "other.example"
    assert check("xrpz.arret.fr") == "xrpz.arret.fr"
    assert check("notarret.example") == "notarret.example"


def _batched(texts: list[str], batch: int) -> tuple[list[str] | list[tuple[str, str]], list[int]]:
    """`check_targets` `batch` names at a time: its answer, and the counts it told."""
    counts: list[int] = []
    try:
        return check_targets(texts, ALLOWED, RESERVED, counts.append, batch), counts
    except InvalidTargets as bad:
        return [(p.name, p.reason) for p in bad.problems], counts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(texts, st.sampled_from(["a.example", "B.example"])), max_size=12),
       st.integers(1, 5))  # fmt: skip
def test_in_batches_the_answer_is_the_same_and_each_batch_is_counted(
    given_texts: list[str], batch: int
) -> None:
    found, counts = _batched(given_texts, batch)
    assert found == _reference(given_texts)
    total = len(given_texts)
    assert counts == [min(done, total) for done in range(batch, total + batch, batch)]


def test_a_name_repeated_in_a_later_batch_or_a_bad_one_there_is_found() -> None:
    """Batches of plain names go the fast path; a repeat of an earlier batch's name, or a
    bad name, sends the rest name by name, which still knows the earlier batches' names."""
    plain = [f"site{i}.example" for i in range(6)]
    assert _batched(plain, 2) == (plain, [2, 4, 6])
    found, counts = _batched([*plain, "Site1.example", "x.example"], 2)
    assert found == [("Site1.example", "given twice (as 'site1.example'); give each name once")]
    assert counts == [2, 4, 6, 8]
    found, _ = _batched([*plain, "co.uk", "site2.example."], 4)
    assert [name for name, _ in found] == ["co.uk", "site2.example."]
