"""The targets-file parser (`order add --targets-file`, the web form's text box) under
arbitrary text: parsed targets, or `InvalidTargets` naming each bad line by the number an
editor shows (`sed -n Np`), never another exception; and the same through name checks."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arret.cli.orders import read_targets_file
from arret.domain.lifecycle import parse_target_lines
from arret.domain.model import Action, Scope
from arret.domain.names import check_targets
from arret.errors import ArretError, InvalidTargets

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.one_of(
    st.sampled_from(["leak.example", "Bücher.example", "co.uk", "bad..name", "*.x.example",
                     "exact", "SUBTREE", "nxdomain", "NoData", "notice", "explode", "#",
                     "# comment", "1.2.3.4", "http://x.example/", "a" * 70 + ".example"]),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
)  # fmt: skip
blanks = st.sampled_from([" ", "\t", "  ", "\u00a0", "\x0b", "\x0c", "\u3000"])
line_ends = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\x1c", "\x85", "\u2028", "\x0b"])
lines = st.builds(
    lambda ws, gaps: "".join(w + g for w, g in zip(ws, gaps, strict=False)),
    st.lists(words, max_size=5),
    st.lists(blanks, min_size=5, max_size=5),
)
texts = st.one_of(
    st.builds(lambda ls, ends: "".join(x + e for x, e in zip(ls, ends, strict=False)),
              st.lists(lines, max_size=12), st.lists(line_ends, min_size=12, max_size=12)),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=400),
)  # fmt: skip

_PROBLEM = re.compile(r"src:(\d+): (.*)", re.DOTALL)


def editor_lines(text: str) -> list[str]:
    """Lines as an editor, `wc -l` and `sed -n Np` count them (universal newlines)."""
    return re.split(r"\r\n|\r|\n", text)


@FUZZ
@given(texts)
@example("a.example\x0cb.example explode\n")  # a form feed does not end a line
@example("a.example\u2028ok.example explode")
def test_any_text_gives_targets_or_each_bad_line_by_its_number(text: str) -> None:
    shown = editor_lines(text)
    try:
        specs = parse_target_lines(text, Scope.SUBTREE, "src")
    except InvalidTargets as err:
        assert err.problems
        for problem in err.problems:
            found = _PROBLEM.fullmatch(problem.name)
            assert found, problem.name
            number, raw = int(found.group(1)), found.group(2)
            assert 1 <= number <= len(shown)
            assert raw == shown[number - 1].strip(), (number, raw, shown)
            assert "unknown word" in problem.reason
        return
    meaningful = [x for x in shown if x.split("#", 1)[0].split()]
    assert len(specs) == len(meaningful)
    for spec in specs:
        assert spec.name and not any(c.isspace() for c in spec.name) and "#" not in spec.name
        assert isinstance(spec.scope, Scope)
        assert spec.action is None or isinstance(spec.action, Action)
    try:
        names = check_targets(spec.name for spec in specs)
    except InvalidTargets as err:
        assert len(err.problems) <= len(specs)
        return
    assert len(names) == len(specs)


@FUZZ
@given(st.binary(max_size=400))
def test_any_file_bytes_give_targets_or_a_specific_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.txt"
        path.write_bytes(raw)
        try:
            specs = read_targets_file(path, Scope.EXACT)
        except ArretError as err:
            assert err.summary
            if not isinstance(err, InvalidTargets):
                assert "cannot read the targets file" in err.summary
            return
    assert all(spec.name for spec in specs)


def test_bad_lines_are_numbered_as_an_editor_shows_them() -> None:
    text = "a.example\x0cb.example\r\nc.example\u2028d.example explode\rok.example\n"
    try:
        parse_target_lines(text, Scope.SUBTREE, "orders.txt")
    except InvalidTargets as err:
        assert [p.name for p in err.problems] == [
            "orders.txt:1: a.example\x0cb.example",
            "orders.txt:2: c.example\u2028d.example explode",
        ]
    else:
        raise AssertionError("lines with extra words are refused")
