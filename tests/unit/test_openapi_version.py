"""The OpenAPI document is versioned: `info.version` is the package's version, and a version
names one contract for good. The document of the current version is committed
(tests/fixtures/openapi/openapi.json, so a review reads a contract's change as a diff) with
the digest of every version's (digests.json); changing an operation, a model or a
parameter without raising the version fails here, whoever adds the endpoint."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from support import openapi

from arret import __version__

ROOT = Path(__file__).resolve().parents[2]
RECORD = "(cd tests && ../.venv/bin/python -m support.openapi)"


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    return openapi.document()


def changed_operations(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """`METHOD /path` of each operation added, removed or changed; then changed models."""
    found = []
    for path in sorted(old["paths"].keys() | new["paths"].keys()):
        before, after = old["paths"].get(path, {}), new["paths"].get(path, {})
        for method in sorted(before.keys() | after.keys()):
            if before.get(method) != after.get(method):
                found.append(f"{method.upper()} {path}")
    models_before = old.get("components", {}).get("schemas", {})
    models_after = new.get("components", {}).get("schemas", {})
    for name in sorted(models_before.keys() | models_after.keys()):
        if models_before.get(name) != models_after.get(name):
            found.append(f"model {name}")
    return found


def test_the_document_is_versioned_as_the_package(served: dict[str, Any]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"], "pyproject.toml and arret.__version__ disagree"
    assert served["info"]["version"] == __version__


def test_the_contract_does_not_change_without_the_version(served: dict[str, Any]) -> None:
    recorded = json.loads(openapi.RECORDED.read_text())
    digests = json.loads(openapi.DIGESTS.read_text())
    version = served["info"]["version"]
    changes = changed_operations(recorded, served)
    if version in digests:
        assert digests[version] == openapi.digest(served), (
            f"the contract of version {version} changed ({', '.join(changes) or 'info'}): "
            f"raise the version in pyproject.toml and src/arret/__init__.py, then {RECORD}"
        )
    else:
        pytest.fail(f"version {version} is new: record its contract with {RECORD}")
    # The committed document is the current version's, byte for byte.
    assert openapi.RECORDED.read_text() == openapi.pretty(served), f"run {RECORD}"


def test_a_changed_operation_is_caught(served: dict[str, Any]) -> None:
    """The check above can fail: one parameter's bound moved is another contract."""
    changed = json.loads(json.dumps(served))
    operation = changed["paths"]["/api/events"]["get"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    limit["schema"]["maximum"] += 1
    assert openapi.digest(changed) != openapi.digest(served)
    assert changed_operations(served, changed) == ["GET /api/events"]
    # The version alone is not the contract: the digest leaves it out.
    bumped = {**served, "info": {**served["info"], "version": "9.9.9"}}
    assert openapi.digest(bumped) == openapi.digest(served)
