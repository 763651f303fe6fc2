"""A long Schemathesis run against the API: the suite's test (tests/fuzz/test_openapi_contract.py)
with more examples per operation and role, every phase for every role, and more stateful
sequences (as the authority).

Runs that test with pytest in a subprocess (the application in process, on SQLite), then
prints a table: per operation, the requests made as each role and the statuses they got,
and the failures; then the totals and the time taken. Exits 1 when anything failed (the
failures are in the pytest output it prints first, shortened).

    .venv/bin/python bench/fuzz_api.py [--examples 100] [--sequences 200] [--seed 1]
                                       [--phases examples,coverage,fuzzing,stateful]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = ROOT / "tests" / "fuzz" / "test_openapi_contract.py"
ROLES = ("authority", "auditor", "operator:orange", "anonymous")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="per operation and role")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful",
                        help="Schemathesis phases, for every role")  # fmt: skip
    parser.add_argument("--sequences", type=int, default=200,
                        help="stateful sequences, as the authority")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        env = {
            **os.environ,
            "ARRET_FUZZ_EXAMPLES": str(args.examples),
            "ARRET_FUZZ_SEED": str(args.seed),
            "ARRET_FUZZ_PHASES": args.phases,
            "ARRET_FUZZ_OTHER_PHASES": args.phases,
            "ARRET_FUZZ_SEQUENCES": str(args.sequences),
            "ARRET_FUZZ_REPORT": str(report),
        }
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=line",
             str(TEST)], cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        if not report.exists():
            print(run.stdout[-5000:], run.stderr[-5000:], sep="\n")
            return 1
        found = json.loads(report.read_text())
    lines = run.stdout.splitlines()
    # What failed, each kind once (Schemathesis's titles: "- ST103 Undocumented status code").
    kinds = sorted({line.strip(" |") for line in lines if line.strip(" |").startswith("- ")})
    print("\n".join([*kinds, *(line for line in lines if line.startswith("FAILED")), lines[-1]]))
    requests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    statuses: dict[str, set[int]] = defaultdict(set)
    for operation, role, status, n in found["seen"]:
        requests[operation][role] += n
        statuses[operation].add(status)
    failures: dict[str, int] = defaultdict(int)
    for operation, _role, n in found["failed"]:
        failures[operation] += n
    print()
    print(f"Schemathesis, every check, seed {args.seed}, {args.examples} examples per "
          f"operation and role, {args.sequences} stateful sequences, phases {args.phases}: "
          f"{elapsed:.0f} s")  # fmt: skip
    print()
    print("| operation | " + " | ".join(ROLES) + " | statuses seen | failures |")
    print("|---|" + "---:|" * len(ROLES) + "---|---:|")
    for operation in sorted(requests.keys() | failures.keys()):
        counts = " | ".join(f"{requests[operation].get(role, 0):,}" for role in ROLES)
        seen = " ".join(str(s) for s in sorted(statuses[operation]))
        print(f"| {operation} | {counts} | {seen} | {failures.get(operation, 0)} |")
    total = sum(sum(r.values()) for r in requests.values())
    errors = sum(n for op in requests for s, n in _by_status(found, op) if s >= 500)
    print()
    print(f"| operations | {len(requests)} |")
    print(f"| test cases (requests checked) | {total:,} |")
    print(f"| server errors (5xx) | {errors} |")
    print(f"| failures | {sum(failures.values())} |")
    return 0 if run.returncode == 0 and not failures else 1


def _by_status(found: dict[str, list[list[object]]], operation: str) -> list[tuple[int, int]]:
    return [(int(str(s)), int(str(n))) for op, _r, s, n in found["seen"] if op == operation]


if __name__ == "__main__":
    sys.exit(main())
