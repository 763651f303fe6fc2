"""bench/scale.py at a tiny size, once per suite: 200 names for 4 operators, with knotd and
two Unbounds configured from `arret operator config`, must print every figure of its table
(so that the benchmark still runs when someone needs its figures at a million names)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.debian import require_program

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale.py"
sys.path.insert(0, str(BENCH.parent))

from scale import COLUMNS, FIGURES  # noqa: E402


def figures(*options: str) -> tuple[list[list[str]], str]:
    """The table's rows of a run at 200 names and 4 operators, and what it said."""
    for program, package in (("knotd", "knot"), ("knotc", "knot"), ("kdig", "knot-dnsutils"),
                             ("dig", "bind9-dnsutils"), ("unbound", "unbound")):  # fmt: skip
        require_program(program, package)
    run = subprocess.run([sys.executable, str(BENCH), "--sizes", "200", "--operators", "4",
                          "--starts", "1", *options], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in run.stdout.splitlines() if line.startswith("| 200 |")]  # fmt: skip
    assert "| " + " | ".join(COLUMNS) + " |" in run.stdout
    assert [r[2] for r in rows] == [figure for figure, _, _ in FIGURES], run.stdout + run.stderr
    return rows, run.stdout + run.stderr


def test_bench_scale_prints_every_figure_and_a_kept_registry_is_started_from_again(
    tmp_path: Path,
) -> None:
    """Every figure of the table, from a registry kept with `--keep DIR`; a second run
    starts from a copy of that registry (its import figure is the first one's). The second
    stops after the copy (`--import-only`): what follows it is the code the first ran."""
    rows, said = figures("--keep", str(tmp_path))
    assert "imported in" in said
    for cells, (figure, _, peer) in zip(rows, FIGURES, strict=True):
        assert len(cells) == len(COLUMNS), cells
        assert cells[1] == "4"
        assert float(cells[4]) > 0, (figure, cells)  # Arrêt's figure
        if peer is not None:
            assert float(cells[5]) > 0 and float(cells[7]) > 0, (figure, cells)
    again = subprocess.run([sys.executable, str(BENCH), "--sizes", "200", "--operators", "4",
                            "--keep", str(tmp_path), "--import-only"], capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    said = again.stdout + again.stderr
    assert again.returncode == 0, said
    assert "copied the registry kept in" in said and "imported in" not in said
    imports = [line.split("|")[5].strip() for line in again.stdout.splitlines()
               if line.startswith("| 200 |") and "| import |" in line]  # fmt: skip
    assert imports == [rows[0][4]], said


def test_the_import_on_a_terminal_draws_its_progress() -> None:
    """`--tty --import-only`: the import runs on a pseudo-terminal, where its progress is
    drawn (the script checks that the display ended), and the run stops there."""
    run = subprocess.run([sys.executable, str(BENCH), "--sizes", "200", "--operators", "4",
                          "--tty", "--import-only"], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "import on a terminal, its progress drawn" in run.stdout
    rows = [line.split("|")[3].strip() for line in run.stdout.splitlines()
            if line.startswith("| 200 |")]  # fmt: skip
    assert rows == ["import", "database size"], run.stdout
