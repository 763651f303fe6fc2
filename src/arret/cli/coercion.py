"""Typer's conversion of a parameter's value, without pydantic for the plain types.

Typer converts every value given on the command line through a pydantic `TypeAdapter`,
built as the command runs: importing pydantic costs a command 0.1 to 0.2 s at every start,
more than the work of `arret order amend` on a million-name order. A text, a list of
texts, or a number written as plain digits within the option's bounds is converted here
exactly as that adapter converts it; anything else (another spelling of a number, a value
out of bounds, a choice, a path, a file) still goes through Typer's own conversion, so
its answers and its error messages stay Typer's. `tests/unit/cli/test_coercion.py`
compares both on generated values.

Typer's conversion is reached through its private modules (`typer._coercion`, and
`typer.core._TyperParameter.get_runtime_param`); a Typer without them (older, or
changed) keeps its own conversion for every parameter, which
`tests/integration/test_cli_start.py` would notice (pydantic imported again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - a Typer without it converts everything itself
    RuntimeParam = None  # type: ignore[assignment,misc]

#: What a conversion here returns when Typer's own must decide.
_TYPER = object()
#: Plain digits (no sign, spaces or underscores), few enough to be exact in a float.
_WHOLE = re.compile(r"[0-9]{1,15}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _typer(value: Any) -> Any:
    return _TYPER


def _flag(value: Any) -> Any:
    return value if type(value) is bool else _TYPER


def _text(value: Any) -> Any:
    return value if type(value) is str else _TYPER


def _texts(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
        return list(value)
    return _TYPER


def _number(
    kind: type[int] | type[float], pattern: re.Pattern[str], low: float | None, high: float | None
) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if type(value) is not str or pattern.fullmatch(value) is None:
            return _TYPER
        number = kind(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return _TYPER  # Typer's message names the bound
        return number

    return convert


def plain_conversion(descriptor: Any) -> Callable[[Any], Any]:
    """The conversion of a parameter described by `descriptor` (a Typer TypeDescriptor),
    returning `_TYPER` for the values it leaves to Typer (every value, for a type it
    does not know: then Typer's conversion is built only when a value needs it)."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return _typer
    if getattr(info, "click_type", None) is not None:
        return _typer
    annotation = descriptor.annotation
    if annotation is str:
        return _text
    if annotation is bool:
        return _flag
    if annotation == list[str]:
        return _texts
    if annotation in (int, float) and not info.clamp:
        pattern = _WHOLE if annotation is int else _DECIMAL
        return _number(annotation, pattern, info.min, info.max)
    return _typer


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _Plain(RuntimeParam):
        """A parameter's conversion: `convert` first, Typer's own for what it leaves."""

        descriptor: TypeDescriptor
        convert: Callable[[Any], Any]
        typer: list[RuntimeParam] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            converted = self.convert(value)
            if converted is not _TYPER:
                return converted
            if not self.typer:
                self.typer.append(build_runtime_param(self.descriptor))
            return self.typer[0]._coerce_value(value, param=param, ctx=ctx)


def install() -> None:
    """Make every Typer parameter convert its value here first. Typer builds a parameter's
    conversion when a value is first converted (its help flag's too, which each command
    adds as it parses), hence this hook rather than a walk over the commands' parameters."""
    if RuntimeParam is None or getattr(_TyperParameter, "arret_plain", False):
        return  # pragma: no cover

    def get_runtime_param(self: Any) -> RuntimeParam:
        if self._runtime_param is None:
            d = self.type_descriptor
            self._runtime_param = _Plain(d.parameter_info, d.annotation, d, plain_conversion(d))
        return cast(RuntimeParam, self._runtime_param)

    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    _TyperParameter.arret_plain = True  # type: ignore[attr-defined]
