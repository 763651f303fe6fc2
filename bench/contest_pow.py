"""How long does the contest form's proof of work take?

For each difficulty (default 12, 14, 16 and 18 leading zero bits), this issues fresh
challenges (`arret.domain.contests.challenge`), solves each with the notice page's own
script (`arret.web.pow.SCRIPT`, run by Node's V8 with a stub of the page's elements:
the JavaScript engine of Chromium) and with `arret.domain.contests.solve` (Python, what an
API client may do), checks that both find the same answer and that the server accepts it
(`proof_problem`), and prints a markdown table: the median and worst time of each, and
the median counter (the number of hashes tried).

    .venv/bin/python bench/contest_pow.py
    .venv/bin/python bench/contest_pow.py --bits 16 --runs 20

Without `node` on the PATH the script column is left out. The machine's load shows in
these figures: report ratios where several runs are compared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from arret.domain.contests import Limits, challenge, proof_problem, solve
from arret.web.pow import SCRIPT

KEY = os.urandom(32)

HARNESS = """
var attrs = {"data-challenge": %s, "data-bits": "%d", "data-working": "", "data-ready": ""};
var els = {"contest-form": {getAttribute: function (k) { return attrs[k]; }},
           "pow-answer": {value: ""}, "pow-status": {textContent: ""},
           "contest-submit": {disabled: false}};
var document = {getElementById: function (i) { return els[i]; }};
var queue = []; function setTimeout(f) { queue.push(f); }
var t0 = process.hrtime.bigint();
%s
while (queue.length) { queue.shift()(); }
console.log(els["pow-answer"].value, Number(process.hrtime.bigint() - t0) / 1e9);
"""


def in_script(node: str, text: str, bits: int) -> tuple[str, float]:
    source = HARNESS % (f'"{text}"', bits, SCRIPT)
    out = subprocess.run([node, "-e", source], capture_output=True, text=True, check=True)
    answer, seconds = out.stdout.split()
    return answer, float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bits", default="12,14,16,18")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    node = shutil.which("node")
    print("| bits | runs | median counter | script (V8) median / worst | Python median / worst |")
    print("|---:|---:|---:|---:|---:|")
    for bits in (int(b) for b in args.bits.split(",")):
        counters, script, python = [], [], []
        for _ in range(args.runs):
            now = datetime.now(UTC)
            text = challenge(KEY, now, bits, os.urandom(12))
            started = time.perf_counter()
            answer = solve(text, bits)
            python.append(time.perf_counter() - started)
            assert proof_problem(KEY, text, answer, now, Limits(pow_bits=bits)) is None
            counters.append(int(answer))
            if node:
                found, seconds = in_script(node, text, bits)
                assert found == answer, (text, found, answer)
                script.append(seconds)
        shown = f"{statistics.median(script):.3f} / {max(script):.3f} s" if script else "no node"
        print(f"| {bits} | {args.runs} | {int(statistics.median(counters)):,} | {shown} | "
              f"{statistics.median(python):.3f} / {max(python):.3f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
