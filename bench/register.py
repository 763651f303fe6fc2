"""The public register's pages for one order of N names: how long each takes to render and
what it weighs, and the order's history read whole against read cut short.

For each size, a fresh SQLite registry (the 2021 demo and one order of N names to every
operator, a mirror amendment of 1% of them) served in process by the HTTP application;
each page is asked `--runs` times and the fastest is kept (the machine is shared: the
minimum is the least disturbed run). The peer of the history figure is the same history
read whole (`store.registry.history`, which the order pages read before).

    .venv/bin/python bench/register.py [--sizes 10000,100000,1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.website import NOW, make_site  # noqa: E402

from arret.domain.lifecycle import OrderDraft  # noqa: E402
from arret.domain.model import TargetSpec  # noqa: E402
from arret.services import queries, registry  # noqa: E402
from arret.store import registry as store  # noqa: E402

#: What a page may weigh.
BOUND = 200_000


def fastest(runs: int, call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def one_size(size: int, runs: int, folder: Path) -> list[tuple[str, float, int | None]]:
    site = make_site(f"sqlite:///{folder / f'register-{size}.db'}")
    names = [f"mirror{i}.leak{i % 97}.example" for i in range(size)]
    draft = OrderDraft(
        reference="RG 26/BENCH", authority="court", decided_on=NOW.date(),
        targets=tuple(TargetSpec(n) for n in names), all_operators=True,
        expires_at=NOW + timedelta(days=30),
    )  # fmt: skip
    with site.engine.begin() as conn:
        order_id = registry.register_order(conn, draft, NOW, "bench").id
        mirrors = [TargetSpec(f"late{i}.example") for i in range(size // 100)]
        registry.amend_order(conn, order_id, NOW, "bench", add=mirrors)
    found: list[tuple[str, float, int | None]] = []
    for label, path in [
        ("/register", "/register"),
        ("/register/ID", f"/register/{order_id}"),
        ("/register/ID?after=(middle)", f"/register/{order_id}?after={size // 2}"),
        ("/register?name=(last name)", f"/register?name=www.{names[-1]}"),
        ("/register/ID?name=(last name)", f"/register/{order_id}?name={names[-1]}"),
        ("/api/public/orders/ID", f"/api/public/orders/{order_id}"),
    ]:
        response = site.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found.append((label, fastest(runs, lambda p=path: site.get(p)), len(response.content)))
    with site.engine.connect() as conn:
        whole = fastest(min(runs, 3), lambda: store.history(conn, order_id))
        cut = fastest(runs, lambda: queries.outlined_history(conn, order_id, 100))
    found += [("history read whole (peer)", whole, None), ("history cut to 100 a step", cut, None)]
    site.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-register-"))
    print(f"| names | page | fastest of {args.runs} | bytes | under {BOUND // 1000} KB |")
    print("|---:|---|---:|---:|---|")
    for size in sizes:
        rows = one_size(size, args.runs, folder)
        for label, seconds, weight in rows:
            fits = "" if weight is None else ("yes" if weight < BOUND else "**no**")
            shown = "" if weight is None else f"{weight:,}"
            print(f"| {size:,} | {label} | {seconds * 1000:.1f} ms | {shown} | {fits} |",
                  flush=True)  # fmt: skip
        whole = next(s for label, s, _ in rows if label.startswith("history read whole"))
        cut = next(s for label, s, _ in rows if label.startswith("history cut"))
        print(f"| {size:,} | history: whole / cut | {whole / cut:.1f}x | | |", flush=True)


if __name__ == "__main__":
    main()
