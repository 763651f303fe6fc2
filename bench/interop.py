"""The interop matrix, measured: every resolver kind `arret operator config` knows, each
configured from its snippet alone, all pulling from one `arret serve` on loopback. Each
run registers an order effective 20 s ahead for 60 s with every action and an
allow-listed name under its blocked subtree, polls every resolver every 0.2 s, and
notes when each started and stopped blocking. Prints min/median/max start and stop delays
per resolver and action (the table of docs/operators.md), and every problem seen.

    .venv/bin/python bench/interop.py [--runs 5] [--lead 20] [--length 60] [--kinds a,b]

Needs the Debian packages of tests/support/resolvers.py (installed when missing, as root).
About 35 s of start-up, then lead + length + 11 s per run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.matrix import PROBES, Lab, Outcome, outcome, table  # noqa: E402
from support.resolvers import KINDS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lead", type=float, default=20.0)
    parser.add_argument("--length", type=float, default=60.0)
    parser.add_argument("--step", type=float, default=0.2)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument(
        "--lost-notify",
        action="store_true",
        help="send no NOTIFY: measure the bound each snippet states for a lost one",
    )
    args = parser.parse_args()
    kinds = tuple(args.kinds.split(","))
    folder = Path(tempfile.mkdtemp(prefix="arret-interop-"))
    outcomes: list[Outcome] = []
    lab = Lab(folder, kinds)
    try:
        if args.lost_notify:
            lab.lose_notify()
        for run in range(args.runs):
            window = lab.window(f"b{run}", args.lead, args.length, args.step)
            found = [outcome(k, p, lab.bound(k), window) for k in kinds for p in PROBES]
            outcomes += found
            for o in found:
                for problem in o.problems:
                    print(f"run {run + 1}: {o.kind} {o.probe}: {problem}", flush=True)
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr, flush=True)
    finally:
        lab.close()
        shutil.rmtree(folder, ignore_errors=True)
    lost = " No NOTIFY sent: the bounds stated for a lost one." if args.lost_notify else ""
    print(f"\nMeasured {datetime.now(UTC):%Y-%m-%d} on loopback: order effective "
          f"{args.lead:g} s after registration, lasting {args.length:g} s, polled every "
          f"{args.step:g} s; {args.runs} runs. E = effective instant, X = expiry."
          f"{lost}\n")  # fmt: skip
    print(table(outcomes))


if __name__ == "__main__":
    main()
