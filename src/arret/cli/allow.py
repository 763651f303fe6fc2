"""`arret allow …`: names that must never be blocked."""

from __future__ import annotations

from typing import Annotated

import typer

from arret import views
from arret.cli.context import env
from arret.cli.options import Actor, At, Json, actor_of, instant
from arret.cli.output import console, print_json, print_table
from arret.services import queries, registry

app = typer.Typer(no_args_is_help=True, help="The allow-list: names that are never blocked.")


@app.command("add")
def add(
    ctx: typer.Context,
    name: str,
    reason: Annotated[str, typer.Option(help="Why this name must never be blocked.")],
    actor: Actor = None,
) -> None:
    """Allow-list a name: it, and every name below it, can never be blocked."""
    e = env(ctx)
    with e.transaction() as conn:
        entry = registry.allow_name(conn, name, reason, e.clock.now(), actor_of(actor))
    console.print(f"{entry.name} is allow-listed", markup=False)


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: str,
    reason: Annotated[str, typer.Option(help="Why this name may be blocked again.")],
    actor: Actor = None,
) -> None:
    """Take a name off the allow-list: from now, the orders that cover it block it again."""
    e = env(ctx)
    with e.transaction() as conn:
        entry = registry.remove_allowed(conn, name, reason, e.clock.now(), actor_of(actor))
    console.print(f"{entry.name} is no longer allow-listed", markup=False)


@app.command("list")
def list_(ctx: typer.Context, at: At = None, json: Json = False) -> None:
    """List the allow-list as it stood at --at."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        entries = queries.allowed_at(conn, when)
    if json:
        print_json([views.allow_entry(a) for a in entries])
        return
    print_table(
        None,
        ["name", "reason", "added"],
        [(a.name, a.reason, views.when(a.added_at)) for a in entries],
    )
