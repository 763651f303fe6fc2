"""bench/fuzz.py's quick mode, once per suite: 20,000 broken DNS messages (UDP and TCP,
mis-framed, slow, never read) to a real `arret serve`, which must survive them, answer a
valid query after every batch, and not grow in memory over the second half."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"


def test_arret_serve_survives_a_quick_fuzz_run_without_growing() -> None:
    run = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    table = run.stdout
    assert "| packets sent | 20,000 (" in table
    assert "| crashes | 0 |" in table
    assert "plateaued" in table
