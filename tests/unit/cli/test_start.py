"""`arret serve` starts itself again with another allocator (`arret.cli.start`): decided
from the command line before Typer and SQLAlchemy are imported, so the first process
costs next to nothing; a command that is not `serve` is never restarted."""

from __future__ import annotations

import subprocess
import sys

import pytest

from arret.cli.start import serves


@pytest.mark.parametrize(
    "args",
    [
        ["serve"],
        ["serve", "--dns", "127.0.0.1:53"],
        ["--db", "sqlite:///x.db", "serve"],
        ["--db=sqlite:///x.db", "--lock-wait", "3", "--log-key", "k", "serve", "-v"],
    ],
)
def test_serve_is_found_after_the_root_options(args: list[str]) -> None:
    assert serves(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["order", "list"],
        ["--db", "serve", "order", "list"],  # "serve" is the database's URL here
        ["--lock-wait=2", "policy", "serve"],
        ["serve", "--help"],
        ["--help"],
        ["--unknown", "serve"],  # left to the command line itself
    ],
)
def test_nothing_else_is_taken_for_serve(args: list[str]) -> None:
    assert not serves(args)


def test_the_entry_point_imports_neither_typer_nor_sqlalchemy() -> None:
    probe = ("import sys, arret.cli.start; loaded = {m.split('.')[0] for m in sys.modules}; "
             "print(sorted(loaded & {'typer', 'sqlalchemy'}))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"
