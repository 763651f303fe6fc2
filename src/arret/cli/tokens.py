"""`arret token …`: tokens for the HTTP API and the web UI, one role each."""

from __future__ import annotations

from typing import Annotated

import typer

from arret import views
from arret.cli.context import env
from arret.cli.options import Actor, Json, actor_of, instant_or_span
from arret.cli.output import console, print_json, print_table
from arret.domain.access import Role
from arret.services import tokens

app = typer.Typer(no_args_is_help=True, help="API and web UI tokens: create, list, revoke.")


@app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(metavar="ROLE", help="authority, auditor or operator:NAME.")],
    expires: Annotated[
        str | None,
        typer.Option(metavar="WHEN", help="An instant, or a duration from now (90d, 18mo)."),
    ] = None,
    label: Annotated[str, typer.Option(metavar="TEXT", help="Who or what it is for.")] = "",
    actor: Actor = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    e = env(ctx)
    now = e.clock.now()
    parsed = Role.parse(role)
    until = instant_or_span(expires, now, "--expires") if expires else None
    with e.transaction() as conn:
        token, info = tokens.create(conn, parsed, now, actor_of(actor), label, until)
    console.print(f"token {info.id} for {info.role} created; it is shown only now:", markup=False)
    typer.echo(token)


@app.command("list")
def list_(ctx: typer.Context, json: Json = False) -> None:
    """List tokens (never the tokens themselves: their first characters only)."""
    e = env(ctx)
    now = e.clock.now()
    with e.transaction() as conn:
        rows = [views.token(t, now) for t in tokens.listed(conn)]
    if json:
        print_json(rows)
        return
    print_table(
        None,
        ["id", "starts with", "role", "label", "state", "created", "expires"],
        [
            (
                r["id"],
                r["prefix"],
                r["role"],
                r["label"],
                r["state"],
                r["created_at"],
                r["expires_at"] or "-",
            )
            for r in rows
        ],
    )


@app.command("revoke")
def revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token at once: the API and the web UI refuse it from now on."""
    e = env(ctx)
    with e.transaction() as conn:
        info = tokens.revoke(conn, token_id, e.clock.now())
    console.print(f"token {info.id} ({info.role}) revoked", markup=False)
