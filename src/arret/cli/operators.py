"""`arret operator …`: the ISPs that orders address."""

from __future__ import annotations

from typing import Annotated

import typer

from arret.cli import render
from arret.cli.context import env
from arret.cli.options import Actor, At, Json, actor_of, instant
from arret.cli.output import console, print_fields, print_json, print_table
from arret.services import registry
from arret.store import registry as store

app = typer.Typer(no_args_is_help=True, help="Operators: the ISPs that orders address.")

Endpoints = Annotated[list[str] | None, typer.Option(metavar="HOST:PORT")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A lowercase DNS label; it names the feed zone.")],
    notify: Annotated[
        list[str] | None,
        typer.Option(metavar="HOST:PORT", help="A resolver to NOTIFY on every feed change."),
    ] = None,
    probe: Annotated[
        list[str] | None,
        typer.Option(metavar="HOST:PORT", help="A resolver to probe for compliance."),
    ] = None,
    actor: Actor = None,
) -> None:
    """Add an operator."""
    e = env(ctx)
    with e.transaction() as conn:
        op = registry.add_operator(
            conn, name, e.clock.now(), actor_of(actor), notify or [], probe or []
        )
    console.print(f"operator {op.name} added", markup=False)


@app.command("list")
def list_(ctx: typer.Context, at: At = None, json: Json = False) -> None:
    """List the operators (those added by --at)."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        ops = [op for op in store.list_operators(conn) if op.added_at <= when]
    if json:
        print_json([render.operator(op) for op in ops])
        return
    rows = [
        (op.name, render.when(op.added_at), " ".join(op.notify), " ".join(op.probe)) for op in ops
    ]
    print_table(None, ["operator", "added", "notify", "probe"], rows)


@app.command("show")
def show(ctx: typer.Context, name: str, at: At = None, json: Json = False) -> None:
    """Show an operator, with the orders addressed to it and its policy size at --at."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        op = store.get_operator(conn, name)
        addressed = store.list_orders(conn, operator=name)
        in_force = [o.id for o in addressed if o.in_force_at(when)]
        rules = len(registry.policy_for(conn, name, when).rules)
    if json:
        print_json(
            render.operator(op)
            | {
                "at": render.when(when),
                "orders": [o.id for o in addressed],
                "orders_in_force": in_force,
                "rules": rules,
            }
        )
        return
    print_fields(
        [
            ("operator", op.name),
            ("added", render.when(op.added_at)),
            ("notify", " ".join(op.notify) or "-"),
            ("probe", " ".join(op.probe) or "-"),
            ("at", render.when(when)),
            ("orders addressed", len(addressed)),
            ("orders in force", " ".join(map(str, in_force)) or "-"),
            ("rules in policy", rules),
        ]
    )
