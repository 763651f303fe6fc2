"""The command line converts plain values without pydantic (`arret.cli.coercion`): every
value must come out as Typer's own conversion gives it, or be refused with Typer's own
message."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import OptionInfo

from arret.cli.coercion import _Plain, plain_conversion

#: The parameters the commands declare: (annotation, min, max).
KINDS = [
    (str, None, None),
    (list[str], None, None),
    (bool, None, None),
    (int, None, None),
    (int, 1, 65535),
    (float, None, None),
    (float, 0.001, None),
    (float, 0.0, 1.0),
]

numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\A[ +-]?[0-9_]{0,20}(\.[0-9]{0,18})?(e[+-]?[0-9]{1,3})?[ ]?\Z"),
    st.sampled_from(["0", "007", "0.001", "0.0009", "1.0", "1.", ".5", "65535", "65536", "1_000",
                     " 1", "1 ", "", "0x10", "٣", "nan", "inf", "true", "1e3"]),
)  # fmt: skip
values = st.one_of(numbers, st.text(max_size=12), st.booleans(), st.none(),
                   st.lists(st.text(max_size=5), max_size=3).map(tuple))  # fmt: skip


def outcome(runtime: Any, value: Any, multiple: bool) -> tuple[str, Any]:
    param = SimpleNamespace(multiple=multiple, nargs=1)  # what `coerce` reads of an option
    try:
        converted = runtime.coerce(value, param=param, ctx=None)
    except BadParameter as refused:
        return ("refused", refused.message)
    return ("value", (type(converted), converted))


@pytest.mark.parametrize(("annotation", "low", "high"), KINDS)
@settings(max_examples=300, deadline=None)
@given(value=values)
def test_plain_conversion_gives_what_typer_gives(
    annotation: Any, low: float | None, high: float | None, value: Any
) -> None:
    descriptor = resolve_type_descriptor(annotation, OptionInfo(min=low, max=high))
    typer = build_runtime_param(descriptor)
    plain = _Plain(descriptor.parameter_info, annotation, descriptor, plain_conversion(descriptor))
    # Multiple values come as a tuple, one value as itself (what Click hands over).
    if (annotation == list[str]) != isinstance(value, tuple):
        return
    multiple = annotation == list[str]
    ours, theirs = outcome(plain, value, multiple), outcome(typer, value, multiple)
    if theirs[0] == "value" and isinstance(theirs[1][1], float) and theirs[1][1] != theirs[1][1]:
        assert ours[0] == "value" and ours[1][1] != ours[1][1]  # NaN is not equal to itself
    else:
        assert ours == theirs


def test_plain_values_are_converted_without_typer() -> None:
    """The values a command is given every day never reach Typer's conversion."""
    daily = ((int, "12", 12), (float, "0.5", 0.5), (str, "x", "x"),
             (list[str], ("a", "b"), ["a", "b"]))  # fmt: skip
    for annotation, value, expected in daily:
        descriptor = resolve_type_descriptor(annotation, OptionInfo())
        plain = _Plain(descriptor.parameter_info, annotation, descriptor,
                       plain_conversion(descriptor))  # fmt: skip
        param = SimpleNamespace(multiple=annotation == list[str], nargs=1)
        assert plain.coerce(value, param=param, ctx=None) == expected
        assert plain.typer == []
