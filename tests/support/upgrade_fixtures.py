"""Write the upgrade fixtures: for each schema revision, a database as the Arrêt of that
time left it, with data, dumped to tests/fixtures/upgrades/<revision>.json.

A database at an earlier revision cannot be made by downgrading (0010 has no downgrade,
and a downgraded database holds what the newest code wrote, not what the old code did),
so each fixture is written by the code of its time: the last commit on the first-parent
history of --ref whose migrations end at that revision is checked out into a temporary
git worktree, and `upgrade_scenario.py` runs that checkout's own command line (with this
environment's dependencies) against a fresh SQLite database, with the log key committed
beside the fixtures. Every table's rows are then dumped as the old code stored them:

    {"revision", "commit", "steps", "expected", "tables": {name: {"columns", "rows"}}}

Values are JSON: instants and dates as the ISO text SQLite kept, booleans as booleans,
bytes as hex, JSON columns as their text; `tests/integration/test_upgrades.py` converts
them by the column types of the database it loads them into.

After adding a migration, write the fixture of the revision it follows (the newest one
that has none), from a checkout whose history holds that revision's last commit:

    .venv/bin/python tests/support/upgrade_fixtures.py            # every missing fixture
    .venv/bin/python tests/support/upgrade_fixtures.py 0010e      # these revisions again

Takes about ten seconds per revision (most of it checking the commit out).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "upgrades"
#: A log signing key made for these fixtures only (it signs nothing but them).
KEY = FIXTURES / "log-test.key"
VERSIONS = "src/arret/store/migrations/versions"
SCENARIO = Path(__file__).resolve().parent / "upgrade_scenario.py"
#: Tables that are the database's own bookkeeping, not Arrêt's data.
SKIPPED = {"alembic_version", "sqlite_sequence"}


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout


def revisions() -> list[str]:
    """Every revision of this checkout's migrations, oldest first."""
    sys.path.insert(0, str(ROOT / "src"))
    from alembic.script import ScriptDirectory

    from arret.store.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def head_at(commit: str) -> str | None:
    """The newest migration in `commit`'s tree (read from its files, not imported)."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{commit}:{VERSIONS}"],
        capture_output=True,
        text=True,
    )
    if listing.returncode != 0:
        return None
    found: set[str] = set()
    followed: set[str] = set()
    for name in listing.stdout.split():
        if not name.endswith(".py") or name == "__init__.py":
            continue
        text = git("show", f"{commit}:{VERSIONS}/{name}")
        revision = re.search(r"^revision\b[^=]*=\s*['\"]([^'\"]+)", text, re.M)
        down = re.search(r"^down_revision\b[^=]*=\s*['\"]([^'\"]+)", text, re.M)
        if revision:
            found.add(revision.group(1))
        if down:
            followed.add(down.group(1))
    heads = sorted(found - followed)
    return heads[0] if len(heads) == 1 else None


def last_commits(ref: str) -> dict[str, str]:
    """For each revision, the last commit of `ref`'s first-parent history whose
    migrations end there."""
    commits = git("rev-list", "--first-parent", "--reverse", ref).split()
    touching = set(git("log", "--first-parent", "--format=%H", ref, "--", VERSIONS).split())
    last: dict[str, str] = {}
    head: str | None = None
    for commit in commits:
        if commit in touching:
            head = head_at(commit)
        if head is not None:
            last[head] = commit
    return last


def dump(path: Path) -> dict[str, Any]:
    """Every table's rows, as SQLite holds them, in JSON's types."""
    db = sqlite3.connect(path)
    tables: dict[str, Any] = {}
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in sorted(set(names) - SKIPPED):
        info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        columns = [c[1] for c in info]
        booleans = {i for i, c in enumerate(info) if c[2].upper() == "BOOLEAN"}
        keys = [f'"{c[1]}"' for c in sorted(info, key=lambda c: c[5]) if c[5]]
        order = ", ".join(keys) or "rowid"
        rows = []
        for row in db.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
            rows.append(
                [
                    value.hex()
                    if isinstance(value, bytes)
                    else bool(value)
                    if i in booleans and value is not None
                    else value
                    for i, value in enumerate(row)
                ]
            )
        tables[table] = {"columns": columns, "rows": rows}
    (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    db.close()
    return {"revision": revision, "tables": tables}


def lines(fixture: dict[str, Any]) -> str:
    """JSON with one step, one policy and one row a line: small, and a diff of two
    fixtures reads row by row."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def many(items: list[str], indent: str) -> str:
        return "[\n" + ",\n".join(indent + " " + i for i in items) + "\n" + indent + "]"

    policies = fixture["expected"]["policies"]
    expected = (
        '{"policies": {\n'
        + ",\n".join(f"  {one(op)}: {one(at)}" for op, at in policies.items())
        + "\n }}"
    )
    tables = ",\n".join(
        f'  {one(name)}: {{"columns": {one(t["columns"])}, "rows": '
        + many([one(r) for r in t["rows"]], "   ")
        + "}"
        for name, t in fixture["tables"].items()
    )
    return (
        f'{{"revision": {one(fixture["revision"])},\n "commit": {one(fixture["commit"])},\n'
        f' "steps": {many([one(s) for s in fixture["steps"]], " ")},\n'
        f' "expected": {expected},\n "tables": {{\n{tables}\n }}\n}}\n'
    )


def make(revision: str, commit: str, python: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f"arret-upgrade-{revision}-"))
    checkout = work / "checkout"
    git("worktree", "add", "--detach", str(checkout), commit)
    try:
        key = work / "log.key"
        shutil.copyfile(KEY, key)
        key.chmod(0o600)
        database = work / "arret.db"
        answers = work / "answers.json"
        environ = {**os.environ, "PYTHONPATH": str(checkout / "src"), "ARRET_LOG_KEY": str(key)}
        environ.pop("ARRET_DB", None)
        subprocess.run(
            [python, str(SCENARIO), f"sqlite:///{database}", str(key), str(answers)],
            check=True,
            cwd=work,
            env=environ,
        )
        found = json.loads(answers.read_text(encoding="utf-8"))
        assert found["code"] == str(checkout / "src" / "arret"), found["code"]
        dumped = dump(database)
        if dumped["revision"] != revision:
            raise SystemExit(f"{commit} left the database at {dumped['revision']}, not {revision}")
        fixture = {
            "revision": revision,
            "commit": commit,
            "steps": found["steps"],
            "expected": found["expected"],
            "tables": dumped["tables"],
        }
        out = FIXTURES / f"{revision}.json"
        out.write_text(lines(fixture), encoding="utf-8")
        return out
    finally:
        git("worktree", "remove", "--force", str(checkout))
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="*", help="default: every one without a fixture")
    parser.add_argument("--ref", default="HEAD", help="whose history to search (default HEAD)")
    args = parser.parse_args()
    known = revisions()
    wanted = args.revisions or [r for r in known if not (FIXTURES / f"{r}.json").exists()]
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise SystemExit(f"not revisions of this checkout: {', '.join(unknown)}")
    last = last_commits(args.ref)
    for revision in wanted:
        if revision not in last:
            raise SystemExit(f"no commit of {args.ref}'s first-parent history ends at {revision}")
        out = make(revision, last[revision], sys.executable)
        size = out.stat().st_size
        print(f"{revision}: {out.relative_to(ROOT)} from {last[revision][:12]} ({size:,} bytes)")


if __name__ == "__main__":
    main()
