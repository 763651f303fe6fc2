"""`arret probe`: ask each operator's resolvers about every name they must block (and
those they must no longer block), and keep every answer as evidence."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer

from arret.cli.context import env
from arret.cli.options import Canaries, Control, span
from arret.cli.output import print_table, say
from arret.cli.progress import shown
from arret.probes.verdict import Kind, Purpose
from arret.services import probing


def probe(
    ctx: typer.Context,
    operator: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this operator (repeatable).")
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help="Probe N names at random (canaries always)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(metavar="N", min=1, help="Questions in flight at once.")
    ] = 200,
    control: Control = None,
    canary: Canaries = None,
    window: Annotated[
        str, typer.Option(metavar="30d", help="Probe names of orders ended this recently.")
    ] = "30d",
    timeout: Annotated[float, typer.Option(metavar="SECONDS", min=0.05)] = 2.0,
    retries: Annotated[int, typer.Option(metavar="N", min=0)] = 1,
    processes: Annotated[
        int,
        typer.Option(
            metavar="N",
            min=1,
            max=2,
            help="2: ask from a second process while this one plans, judges and stores "
            "(two cores); 1: all in this one.",
        ),
    ] = 2,
) -> None:
    """Probe the operators' declared resolvers (`arret operator edit NAME --probe
    HOST:PORT`) and print what each blocks; results are kept for `arret report`."""
    e = env(ctx)
    settings = probing.Settings(
        window=span(window, e.clock.now()),
        canaries=tuple(canary or ()),
        control=control,
        sample=sample,
        concurrency=concurrency,
        timeout=timeout,
        retries=retries,
        processes=processes,
    )
    with e.transaction():
        pass  # the schema is checked before any question is asked
    # On a terminal, how many questions are answered (on stderr, like every long command).
    with shown() as progress:
        done = probing.run(e.engine, e.clock, operator, settings,
                           lambda asked, total: progress("probing", asked, total))  # fmt: skip
    rows = []
    for op, resolver in sorted({(o, r) for o, r, _, _ in done.kinds}):
        kinds = Counter({(p, k): n for (o, r, p, k), n in done.kinds.items()
                         if (o, r) == (op, resolver)})  # fmt: skip
        in_force = sum(n for (p, _), n in kinds.items() if p is Purpose.IN_FORCE)
        rows.append((
            op, resolver, in_force,
            kinds[(Purpose.IN_FORCE, Kind.BLOCKED)],
            kinds[(Purpose.IN_FORCE, Kind.NOT_BLOCKED)],
            kinds[(Purpose.IN_FORCE, Kind.WRONG_ACTION)],
            sum(n for (p, _), n in kinds.items() if p is Purpose.ENDED),
            kinds[(Purpose.ENDED, Kind.BLOCKED)] + kinds[(Purpose.ENDED, Kind.WRONG_ACTION)],
            sum(n for (_, k), n in kinds.items() if k is Kind.INCONCLUSIVE),
            sum(n for (_, k), n in kinds.items() if k is Kind.ERROR),
        ))  # fmt: skip
    print_table(
        f"{done.results} answers",
        ["operator", "resolver", "in force", "blocked", "not blocked", "wrong action",
         "ended", "still blocked", "inconclusive", "errors"],
        rows,
    )  # fmt: skip
    c = done.counts
    rate = done.rate
    say(f"{c.questions} questions in {done.seconds:.1f} s"
          + (f" ({rate:,.0f}/s)" if rate else "")
          + f"; {c.sent} datagrams sent, {c.retries} retries, {c.timeouts} unanswered")  # fmt: skip
    if rate:
        for name in sorted(done.planned):
            full = done.planned[name] * done.per_name.get(name, 1)
            took = _duration(full / rate)
            say(
                f"{name}: {done.asked[name]} of {done.planned[name]} names asked; a full round "
                f"({full} questions) takes about {took} at this rate"
            )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
