"""Human tables by default, `--json` for scripts. Instants are shown in ISO 8601 UTC.

Text from orders is untrusted (a notice, a reference): it is always printed as plain
`Text`, never interpreted as console markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# Piped output is not cut to 80 columns: it is read by grep and by people pasting it.
console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console.print(table)


def print_fields(fields: Sequence[tuple[str, Any]]) -> None:
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        line = Text(key.ljust(width), style="bold")
        line.append("  " + ("" if value is None else str(value)), style="")
        console.print(line, soft_wrap=True)
