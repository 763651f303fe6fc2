"""The API's OpenAPI document as the application serves it, built without a database (the
document depends on the routes alone), and its digest."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from arret.domain.instants import FixedClock
from arret.http.app import create_app
from arret.http.runtime import HttpSettings, Runtime
from arret.store.db import open_engine
from support.website import NOW, SECRET


def document() -> dict[str, Any]:
    """`/api/openapi.json`, as a fresh application answers it."""
    folder = tempfile.mkdtemp(prefix="arret-openapi-")
    engine = open_engine(f"sqlite:///{folder}/unused.db")  # never opened: no request reads it
    try:
        app = create_app(Runtime(engine, FixedClock(NOW), HttpSettings(session_secret=SECRET)))
        found: dict[str, Any] = TestClient(app).get("/api/openapi.json").json()
    finally:
        engine.dispose()
        shutil.rmtree(folder)
    return found


def canonical(doc: dict[str, Any]) -> bytes:
    """The document as bytes that depend on its content only (keys sorted, no spaces)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(doc: dict[str, Any]) -> str:
    """SHA-256 of the document without `info.version`: what the contract says."""
    content = {**doc, "info": {k: v for k, v in doc["info"].items() if k != "version"}}
    return hashlib.sha256(canonical(content)).hexdigest()


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openapi"
#: The document of the current version, as served (reviewers read its diff).
RECORDED = FIXTURES / "openapi.json"
#: Every version's digest, oldest first: a version number names one contract, for good.
DIGESTS = FIXTURES / "digests.json"


def pretty(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def record() -> str:
    """Writes the served document and its version's digest; returns what it did."""
    doc = document()
    version = doc["info"]["version"]
    digests: dict[str, str] = json.loads(DIGESTS.read_text()) if DIGESTS.exists() else {}
    if digests.get(version, digest(doc)) != digest(doc):
        raise SystemExit(
            f"version {version} already names another contract: raise the version in "
            "pyproject.toml and src/arret/__init__.py first"
        )
    digests[version] = digest(doc)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    RECORDED.write_text(pretty(doc))
    DIGESTS.write_text(json.dumps(digests, indent=1) + "\n")
    return f"recorded the contract of version {version}: {digests[version]}"


#: The client `make client` generates from RECORDED, and the digest of what it was made from.
CLIENT = Path(__file__).resolve().parent / "arret_client"
CLIENT_SOURCE = CLIENT / "SOURCE"


def stamp_client() -> None:
    """Notes in the generated client the digest of the document it was generated from."""
    recorded = json.loads(RECORDED.read_text())
    CLIENT_SOURCE.write_text(f"{recorded['info']['version']} {digest(recorded)}\n")


if __name__ == "__main__":
    print(record())
