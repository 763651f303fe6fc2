"""Which of Arrêt's errors each function can raise, read from the source: a call graph of
every module under src/arret, followed to each `raise SomeError(...)`.

The graph follows what Python's imports say a name is (`contests.submit` where `from
arret.services import contests`; `_attach` in its own module; `self.method` in its class),
and a function passed as a value (to `run_in_threadpool`) as if it were called. A call on
an object whose class it cannot name (`conn.execute`, `rt.begin()`) is not followed, nor
an error raised from a variable: what it finds, the code does raise (unless a caller
catches it: an `except` that names the error, or a base of it, and does not raise again
hides it from the calls in its `try`), but it may not find everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from arret import errors

SOURCE = Path(__file__).resolve().parents[2] / "src" / "arret"

#: Every error class of Arrêt, by name.
ERRORS: dict[str, type[errors.ArretError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.ArretError)
}


@dataclass
class Function:
    """What one function's body raises itself, and what it calls (with what each call's
    enclosing `try` blocks catch)."""

    raises: set[str] = field(default_factory=set)
    calls: list[tuple[str, frozenset[str]]] = field(default_factory=list)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module) -> dict[str, str]:
    """Each name a module binds by import, and the dotted name it stands for."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    found[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything else (a call's result, a subscript)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _caught(handler: ast.ExceptHandler, imports: dict[str, str]) -> set[str]:
    """The error classes a handler hides: none if it raises again (`raise` alone)."""
    if any(isinstance(n, ast.Raise) and n.exc is None for n in ast.walk(handler)):
        return set()
    kinds = handler.type
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds else []
    found = set()
    for name in names:
        dotted = _dotted(name)
        if dotted is None:
            continue
        last = dotted[-1]
        if last in ERRORS or last in ("Exception", "BaseException"):
            found.add(last)
    if kinds is None:
        found.add("BaseException")
    return found


class _Reader(ast.NodeVisitor):
    """Fills `Function`s of one module."""

    def __init__(self, module: str, imports: dict[str, str], local: set[str]) -> None:
        self.module = module
        self.imports = imports
        self.local = local  # the module's top-level functions and classes
        self.functions: dict[str, Function] = {}
        self.current: Function | None = None
        self.bound: set[str] = set()  # the current function's own names
        self.cls: str | None = None
        self.caught: list[frozenset[str]] = [frozenset()]

    def _resolve(self, node: ast.expr) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, rest = dotted[0], dotted[1:]
        if head == "self" and self.cls and len(rest) == 1:
            return f"{self.module}.{self.cls}.{rest[0]}"
        if head in self.bound:  # a parameter or variable of that name hides the module's
            return None
        if head in self.local:
            return ".".join([self.module, head, *rest])
        if head in self.imports:
            return ".".join([self.imports[head], *rest])
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer, self.cls = self.cls, node.name
        self.generic_visit(node)
        self.cls = outer

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.current is not None:  # a function inside one: part of its body
            self.generic_visit(node)
            return
        owner = f"{self.cls}." if self.cls else ""
        name = f"{self.module}.{owner}{node.name}"
        self.current = self.functions.setdefault(name, Function())
        self.bound = _bound(node)
        self.generic_visit(node)
        self.current, self.bound = None, set()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Try(self, node: ast.Try) -> None:
        caught = frozenset().union(*(_caught(h, self.imports) for h in node.handlers))
        self.caught.append(self.caught[-1] | caught)
        for statement in node.body:
            self.visit(statement)
        self.caught.pop()
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_Raise(self, node: ast.Raise) -> None:
        if self.current is not None and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            dotted = _dotted(target)
            if dotted is not None and dotted[-1] in ERRORS and not self._hidden(dotted[-1]):
                self.current.raises.add(dotted[-1])
        self.generic_visit(node)

    def _hidden(self, error: str) -> bool:
        return _hides(self.caught[-1], error)

    def _reference(self, node: ast.expr) -> None:
        if self.current is None:
            return
        found = self._resolve(node)
        if found is not None and found.startswith("arret."):
            self.current.calls.append((found, self.caught[-1]))

    def visit_Name(self, node: ast.Name) -> None:
        self._reference(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._reference(node)
        self.generic_visit(node)


def _bound(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names a function binds itself: its parameters and variables (of any function
    nested in it too, read as part of it)."""
    found = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            found.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            found.add(inner.id)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            found.add(inner.name)
    return found


def _hides(caught: frozenset[str], error: str) -> bool:
    if caught & {"Exception", "BaseException"}:
        return True
    return any(issubclass(ERRORS[error], ERRORS[c]) for c in caught if c in ERRORS)


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield _module_name(path), ast.parse(path.read_text(), str(path))


def graph() -> dict[str, Function]:
    """Every function and method of Arrêt, by dotted name (`arret.services.log.head`)."""
    found: dict[str, Function] = {}
    for module, tree in _modules():
        local = {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        imports = _imports(tree)
        reader = _Reader(module, imports, local)
        reader.visit(tree)
        found.update(reader.functions)
        # A name imported into a module may be called through it (`services.x.f` for
        # `arret.store.y.f`): the same function.
        for name, target in imports.items():
            if target.startswith("arret.") and name not in local:
                found.setdefault(f"{module}.{name}", Function(calls=[(target, frozenset())]))
    return found


def reachable(
    functions: dict[str, Function], never: Mapping[str, AbstractSet[str]] | None = None
) -> dict[str, set[str]]:
    """For each function, the error classes it or anything it calls can raise; but not
    those `never` says a function never lets out, as Arrêt calls it (a condition this
    reading does not see: an order loaded in the transaction that just wrote it)."""
    never = never or {}
    reach = {name: set(f.raises) - never.get(name, set()) for name, f in functions.items()}
    changed = True
    while changed:
        changed = False
        for name, function in functions.items():
            for callee, caught in function.calls:
                # A class called: what building one checks.
                made = (f"{callee}.__init__", f"{callee}.__post_init__")
                raised = set().union(reach.get(callee, ()), *(reach.get(m, ()) for m in made))
                more = {e for e in raised if not _hides(caught, e)} - never.get(name, set())
                if not more <= reach[name]:
                    reach[name] |= more
                    changed = True
    return reach
