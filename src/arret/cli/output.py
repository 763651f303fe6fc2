"""Human tables by default, `--json` for scripts. Instants are shown in ISO 8601 UTC.

Text from orders is untrusted (a notice, a reference): it is always printed as plain
`Text`, never interpreted as console markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console


class _Console:
    """rich's Console, made (and rich imported) on first use: a command that prints one
    line with `say` does not pay for rich at start-up."""

    _console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(real_console(), name)


def real_console() -> Console:
    if _Console._console is None:
        from rich.console import Console

        # Piped output is not cut to 80 columns: it is read by grep and by people pasting it.
        _Console._console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)
    return _Console._console


console = cast("Console", _Console())


def say(line: str) -> None:
    """One line of plain text (never markup) on stdout."""
    sys.stdout.write(line + "\n")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console.print(table)


def print_fields(fields: Sequence[tuple[str, Any]]) -> None:
    from rich.text import Text

    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        line = Text(key.ljust(width), style="bold")
        line.append("  " + ("" if value is None else str(value)), style="")
        console.print(line, soft_wrap=True)
