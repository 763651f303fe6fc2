"""How long the `arret` command takes to start, and to amend an order on a small registry.

For each figure, the fastest of `--runs` runs (the machine is shared: the minimum is the
least disturbed run): `arret --help`; importing `arret.cli.main` (`python -X importtime`,
its cumulative microseconds); `arret order amend 1 --add NAME` on a fresh registry holding
one order of `--names` names, wall and CPU (user + system) time of the process; and which
of the web stack's modules that process imported (none is the goal).

    .venv/bin/python bench/startup.py [--runs 5] [--names 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ARRET = str(BIN / "arret")
#: Modules the amend path has no use for: loading any of them is start-up time wasted.
#: (pydantic is typer's own: typer 0.29 coerces every parameter's value with it, except
#: the plain values `arret.cli.coercion` converts itself.)
HEAVY = ("fastapi", "starlette", "uvicorn", "jinja2", "alembic", "dns", "prometheus_client",
         "pydantic", "rich")  # fmt: skip


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one process, and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, run.stderr


def imported_top_level(importtime: str) -> set[str]:
    return {m.group(1).split(".")[0] for m in re.finditer(r"\|\s+([\w.]+)$", importtime, re.M)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--names", type=int, default=1000)
    args = parser.parse_args()
    # Bytecode, as an installed package has it (an editable install under
    # PYTHONDONTWRITEBYTECODE=1 would compile arret's modules again in every process).
    import arret

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(arret.__file__).parent)],
                   check=True)  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-startup-"))
    try:
        env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
               "ARRET_LOG_KEY": str(folder / "log.key")}  # fmt: skip
        subprocess.run([ARRET, "init"], env=env, check=True, capture_output=True)
        subprocess.run([ARRET, "operator", "add", "bench"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        targets = folder / "targets.txt"
        targets.write_text("".join(f"site{i}.example\n" for i in range(args.names)))
        subprocess.run([ARRET, "order", "add", "--reference", "B", "--authority", "bench",
                        "--decided", "2026-01-01", "--duration", "90d", "--operator", "bench",
                        "--yes", "--targets-file", str(targets)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        rows: dict[str, float | int] = {}
        help_runs = [timed([ARRET, "--help"], env) for _ in range(args.runs)]
        rows["arret --help, wall s"] = min(w for w, _, _ in help_runs)
        rows["arret --help, CPU s"] = min(c for _, c, _ in help_runs)
        imports = [timed([sys.executable, "-X", "importtime", "-c", "import arret.cli.main"],
                         env)[2] for _ in range(args.runs)]  # fmt: skip
        rows["import arret.cli.main, s (importtime)"] = min(
            int(re.findall(r"\|\s+(\d+) \| arret\.cli\.main$", text, re.M)[-1]) / 1e6
            for text in imports
        )
        amend = [sys.executable, "-X", "importtime", ARRET, "order", "amend", "1", "--add"]
        amends = [timed([*amend, f"mirror{i}.example"], env) for i in range(args.runs)]
        rows["arret order amend, wall s"] = min(w for w, _, _ in amends)
        rows["arret order amend, CPU s"] = min(c for _, c, _ in amends)
        loaded = imported_top_level(amends[0][2])
        # Unlike times, the number of modules does not depend on what else the machine runs.
        rows["arret order amend, modules imported"] = amends[0][2].count("import time:") - 1
        print(f"| figure (fastest of {args.runs}; one order of {args.names:,} names) | value |")
        print("|---|---:|")
        for figure, value in rows.items():
            print(
                f"| {figure} | {value:,} |"
                if isinstance(value, int)
                else f"| {figure} | {value:.3f} |"
            )
        heavy = sorted(m for m in HEAVY if m in loaded)
        print(f"| heavy modules the amend process imported | {', '.join(heavy) or 'none'} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
