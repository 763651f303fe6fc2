"""Schemathesis against the real application, from its own OpenAPI document: every operation
the document lists, with a token of each role and without one, every check Schemathesis
has (no 500; every status, content type, header and body as documented; schema-violating
requests refused; schema-valid ones accepted; 405 with `Allow` for undeclared methods;
auth not ignored), a fixed seed and a bounded number of examples.

One check is ours: a request the document calls valid may still be refused by the registry
(a public suffix, an order that ended, a range the log does not have: 400 or 422 with the
registry's code, which the document lists), but never as malformed (`invalid_request`):
that would be the document and the server's validation disagreeing.

`bench/fuzz_api.py` runs the same test longer (ARRET_FUZZ_EXAMPLES) and prints a table
from what it records (ARRET_FUZZ_REPORT).

The stateful phase follows the document's links from one answer to the next request (an
order registered, then shown, amended, lifted) with the checks that need a sequence
(`use_after_free`, `ensure_resource_availability`).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from support.website import Site, make_site

#: Examples per operation and role in the fuzzing phase (the suite's default keeps the run
#: near a minute; the bench raises it), and the seed of every run.
EXAMPLES = int(os.environ.get("ARRET_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("ARRET_FUZZ_SEED", "1"))
#: Phases for the authority (which may do everything) and for the other roles and no token
#: (what differs for them is who may call what: the fuzzing phase shows it).
AUTHORITY_PHASES = os.environ.get("ARRET_FUZZ_PHASES", "examples,coverage,fuzzing,stateful").split(
    ","
)
OTHER_PHASES = os.environ.get("ARRET_FUZZ_OTHER_PHASES", "fuzzing").split(",")
#: Sequences the stateful phase runs (as the authority), following the document's links
#: (a registered order → show, amend, lift it; and the links Schemathesis infers).
SEQUENCES = int(os.environ.get("ARRET_FUZZ_SEQUENCES", "10"))


def config(phases: list[str], token: str | None) -> SchemathesisConfig:
    """Schemathesis's settings for one role: its token as the document's bearer scheme, so
    that Schemathesis knows when it sends none on purpose (a negative case, an auth probe)."""
    auth = {"auth": {"openapi": {"HTTPBearer": {"bearer": token}}}} if token else {}
    return SchemathesisConfig.from_dict(
        {
            **auth,
            "seed": SEED,
            "phases": {
                p: {"enabled": p in phases} for p in ("examples", "coverage", "fuzzing", "stateful")
            },
            "checks": {
                # The registry refuses some schema-valid requests with its own reasons
                # (documented 400 and 422 codes); `well_formed_is_not_malformed` below keeps
                # the point of this check.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422"]
                }
            },
        }
    )


#: (operation, role, status) → requests; dumped to ARRET_FUZZ_REPORT when set.
SEEN: Counter[tuple[str, str, int]] = Counter()
FAILED: Counter[tuple[str, str]] = Counter()


def _site() -> Site:
    """The site every request goes to: a real registry (the 2021 case and a token per role)
    on SQLite, in memory-backed storage where there is some (the run is writes-heavy)."""
    shm = Path("/dev/shm")
    folder = tempfile.mkdtemp(prefix="arret-openapi-", dir=shm if shm.is_dir() else None)
    atexit.register(shutil.rmtree, folder, True)
    return make_site(f"sqlite:///{Path(folder) / 'arret.db'}")


# Built at collection: Schemathesis makes one test per operation of the document it reads.
SITE = _site()


def loaded(role: str | None, phases: list[str]) -> Any:
    token = SITE.tokens[role] if role else None
    return schemathesis.openapi.from_asgi(
        "/api/openapi.json", SITE.client.app, config=config(phases, token)
    )


AS_AUTHORITY = loaded("authority", AUTHORITY_PHASES)
AS_AUDITOR = loaded("auditor", OTHER_PHASES)
AS_OPERATOR = loaded("operator:orange", OTHER_PHASES)
AS_ANONYMOUS = loaded(None, OTHER_PHASES)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    path = os.environ.get("ARRET_FUZZ_REPORT")
    if path:
        rows = [[op, role, status, n] for (op, role, status), n in sorted(SEEN.items())]
        failed = [[op, role, n] for (op, role), n in sorted(FAILED.items())]
        Path(path).write_text(json.dumps({"seen": rows, "failed": failed}))


def well_formed_is_not_malformed(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request generated as valid is never refused as malformed."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 422):
        code = json.loads(response.content)["error"]["code"]
        assert code not in ("invalid_request", "http_400"), (
            f"a request valid by the document was refused as malformed: {response.text}"
        )
    return True


def call(case: Any, role: str | None) -> None:
    who = role or "anonymous"
    try:
        response = case.call_and_validate(additional_checks=[well_formed_is_not_malformed])
    except BaseException:
        FAILED[case.operation.label, who] += 1
        raise
    SEEN[case.operation.label, who, response.status_code] += 1


@AS_AUTHORITY.parametrize()
@FUZZ
def test_the_api_answers_the_authority_as_its_document_says(case: Any) -> None:
    call(case, "authority")


@AS_AUDITOR.parametrize()
@FUZZ
def test_the_api_answers_an_auditor_as_its_document_says(case: Any) -> None:
    call(case, "auditor")


@AS_OPERATOR.parametrize()
@FUZZ
def test_the_api_answers_an_operator_as_its_document_says(case: Any) -> None:
    call(case, "operator:orange")


@AS_ANONYMOUS.parametrize()
@FUZZ
def test_the_api_answers_without_a_token_as_its_document_says(case: Any) -> None:
    call(case, None)


#: The registry as the first sequence found it; every sequence starts from it again.
SNAPSHOT = Path(tempfile.mkdtemp(prefix="arret-openapi-snapshot-")) / "arret.db"
atexit.register(shutil.rmtree, SNAPSHOT.parent, True)


def restart_from_snapshot() -> None:
    """Hypothesis replays a sequence's choices and expects the same run; a registry that
    kept every earlier sequence's changes answers differently (an operator added twice is
    a 409), which it reports as an inconsistent data generation. So each sequence starts
    from the same registry."""
    database = SITE.engine.url.database
    assert database is not None
    SITE.engine.dispose()
    source, target = (database, SNAPSHOT) if not SNAPSHOT.exists() else (SNAPSHOT, database)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


class Workflow(AS_AUTHORITY.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls as the authority, each answer checked as above."""

    def __init__(self) -> None:
        restart_from_snapshot()
        super().__init__()

    def after_call(self, response: Any, case: Any) -> None:
        SEEN[case.operation.label, "authority", response.status_code] += 1
        super().after_call(response, case)

    def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
        kwargs["additional_checks"] = [
            *(kwargs.get("additional_checks") or []),
            well_formed_is_not_malformed,
        ]
        try:
            super().validate_response(response, case, **kwargs)
        except BaseException:
            FAILED[case.operation.label, "authority"] += 1
            raise


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = settings(
    max_examples=SEQUENCES,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
