"""The layers keep the rules docs/architecture.md gives them, read from the source itself.

- The pure core (`arret.domain`, `arret.rpz`, `arret.tlog`, and `arret.probes` but for
  its two modules that send queries, `runner` and `remote`) does no I/O and reads no
  clock: it imports no module that does, and nothing of Arrêt outside the core but its
  errors.
- The edges (`arret.cli`, `arret.api`, `arret.web`, `arret.http`, and `arret.serving`,
  which wires the `arret serve` process) reach the database through `arret.services`,
  never `arret.store`; the services write no SQL themselves.

Both lists of exceptions are what the code still does today; they may only shrink. A new
module that breaks a rule fails here, and so does an exception that no longer happens (so
the list is kept exact).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "arret"

#: `arret.probes` is pure but for `runner` (its sockets) and `remote` (its process).
PROBES_PURE = ("interval", "measures", "plan", "records", "rounds", "schedule", "series",
               "verdict", "wire")  # fmt: skip
PURE = ("arret.domain", "arret.rpz", "arret.tlog", *(f"arret.probes.{m}" for m in PROBES_PURE))
#: Imports the pure core may use from Arrêt outside itself (`arret.dnstypes` only imports
#: dnspython's record types).
PURE_MAY_USE = ("arret.errors", "arret.dnstypes")
#: Standard and third-party modules that read or write the world: files, sockets,
#: processes, databases, the clock, the environment.
IMPURE = frozenset({
    "asyncio", "http", "io", "logging", "os", "pathlib", "selectors", "shutil", "socket",
    "sqlite3", "ssl", "stat", "subprocess", "sys", "tempfile", "time", "urllib.request",
    "sqlalchemy", "psycopg", "fastapi", "starlette", "uvicorn", "httpx", "typer", "rich",
})  # fmt: skip
#: The pure core's impure imports still to move out (module -> imports): none left.
PURE_EXCEPTIONS: dict[str, set[str]] = {}

EDGES = ("arret.cli", "arret.api", "arret.web", "arret.http", "arret.serving")
#: Edge modules that still read the database through `arret.store` directly.
EDGE_EXCEPTIONS: frozenset[str] = frozenset()


def modules() -> Iterator[tuple[str, set[str]]]:
    """Each module's dotted name and what it imports."""
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        package = name if is_package else name.rsplit(".", 1)[0]
        yield name, imports(ast.parse(path.read_text(), str(path)), package)


def imports(tree: ast.Module, package: str) -> set[str]:
    """Every module `tree` imports, at any depth (imports inside functions count), relative
    imports read from `package`."""
    found: set[str] = set()
    parent = package.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*parent[: len(parent) - node.level + 1], base]).strip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def impure(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in IMPURE)


def test_the_pure_core_imports_nothing_that_does_io() -> None:
    broken: dict[str, set[str]] = {}
    outside = lambda name: within(name, ("arret",)) and not within(name, PURE + PURE_MAY_USE)  # noqa: E731
    for module, names in modules():
        if not within(module, PURE):
            continue
        bad = {name for name in names if impure(name) or outside(name)}
        # `from x import y` also lists x.y: keep what names a module, not its members.
        bad = {b for b in bad if not any(b.startswith(o + ".") for o in bad)}
        if bad:
            broken[module] = bad
    assert broken == PURE_EXCEPTIONS


def test_the_edges_reach_the_database_through_services() -> None:
    reaching = {
        module
        for module, names in modules()
        if within(module, EDGES) and any(within(n, ("arret.store",)) for n in names)
    }
    assert reaching == EDGE_EXCEPTIONS


#: What `arret.services` may take from SQLAlchemy: the connection it works in, the engine
#: an edge opens. Queries (tables, `select`, `text`) are written in `arret.store` only.
SERVICES_MAY_USE = {"sqlalchemy", "sqlalchemy.Connection", "sqlalchemy.Engine"}


def test_the_services_write_no_sql() -> None:
    writing = {
        (module, name)
        for module, names in modules()
        if within(module, ("arret.services",))
        for name in names
        if (within(name, ("sqlalchemy",)) and name not in SERVICES_MAY_USE)
        or within(name, ("arret.store.schema",))
    }
    assert writing == set()


def test_the_api_and_the_web_ui_do_not_import_each_other() -> None:
    """Sibling route packages: what both need lives in `arret.http` or `arret.services`."""
    crossing = {
        (module, name)
        for module, names in modules()
        for name in names
        if (within(module, ("arret.api",)) and within(name, ("arret.web",)))
        or (within(module, ("arret.web",)) and within(name, ("arret.api",)))
    }
    assert crossing == set()


def test_every_module_of_the_probes_is_counted_pure_or_not() -> None:
    """A new module of `arret.probes` is placed on purpose: pure (listed) or not."""
    present = {name.rsplit(".", 1)[1] for name, _ in modules() if name.startswith("arret.probes.")}
    assert present - set(PROBES_PURE) == {"runner", "remote"}


#: The writes that add or remove an order's names, and the position of their `confirm`.
GATED_WRITES = {"register_order": 4, "record_registration": 4, "registration": 4,
                "amend_order": None}  # fmt: skip


def ungated_writes(tree: ast.Module) -> list[int]:
    """The lines of calls to a gated write that pass no `confirm` (by keyword, or by
    position where it has one)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in GATED_WRITES:
            continue
        position = GATED_WRITES[name]
        by_position = position is not None and len(node.args) > position
        if not by_position and not any(k.arg == "confirm" for k in node.keywords):
            lines.append(node.lineno)
    return lines


def test_every_edge_gates_its_writes() -> None:
    """Every entry point asks the one safety gate before a large change: each call of a
    write that adds or removes names from an edge passes a `confirm` (`registry.gate`, or
    `registry.planning` for a rehearsal whose plan is shown)."""
    ungated = {}
    for path in sorted(SOURCE.rglob("*.py")):
        name = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        if within(name, EDGES) and (lines := ungated_writes(ast.parse(path.read_text()))):
            ungated[name] = lines
    assert ungated == {}


def test_the_gate_check_sees_a_write_without_confirm() -> None:
    tree = ast.parse(
        "registry.register_order(conn, draft, now, actor)\n"
        "registry.register_order(conn, draft, now, actor, check)\n"
        "amend_order(conn, 1, now, actor, add, remove)\n"
        "amend_order(conn, 1, now, actor, confirm=check)\n"
    )
    assert ungated_writes(tree) == [1, 3]


def test_the_checks_see_an_import_inside_a_function() -> None:
    """The reading itself: an import inside a function counts, a relative one is resolved."""
    tree = ast.parse("def f():\n    import socket\n    from ..store import db\n")
    assert {"socket", "arret.store", "arret.store.db"} <= imports(tree, "arret.domain")


def test_the_architecture_document_names_every_module() -> None:
    """docs/architecture.md's module table lists each module of src/arret (migrations as
    their package), and nothing that is not one."""
    document = (SOURCE.parent.parent / "docs" / "architecture.md").read_text()
    table = document.split("## Every module", 1)[1]
    listed = set(re.findall(r"^\| `(arret[\w.]*)` \|", table, re.M))
    present = {name for name, _ in modules() if ".migrations." not in name}
    assert not present - listed, f"add to docs/architecture.md: {sorted(present - listed)}"
    assert not listed - present, f"no such module: {sorted(listed - present)}"
