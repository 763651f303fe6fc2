"""`arret`: the command line. Commands parse, call a service, print; nothing else.

Errors meant for users (`arret.errors.ArretError`) become a message on stderr and a
non-zero exit status here, in one place (`ArretGroup.invoke`).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from arret.cli import allow, feed, operators, orders, policy, probe, report, serve, tokens
from arret.cli.context import Env, default_actor, env
from arret.cli.output import console
from arret.errors import ArretError
from arret.services import demo as demo_service
from arret.store.db import database_url, migrate


class ArretGroup(TyperGroup):
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ArretError as error:
            typer.echo(f"arret: {error.diagnostics()}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=ArretGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Arrêt: legal DNS blocking orders, from the authority to every addressed resolver.",
)
app.add_typer(operators.app, name="operator")
app.add_typer(orders.app, name="order")
app.add_typer(allow.app, name="allow")
app.add_typer(feed.app, name="feed")
app.add_typer(tokens.app, name="token")
app.command("policy")(policy.policy)
app.command("serve")(serve.serve)
app.command("probe")(probe.probe)
app.command("report")(report.report)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Database URL (default: env ARRET_DB, else sqlite:///arret.db in the "
            "current folder).",
        ),
    ] = None,
) -> None:
    """Arrêt: legal DNS blocking orders, from the authority to every addressed resolver."""
    existing = ctx.find_object(Env)
    if existing is None:
        ctx.obj = Env(database_url(db))
    elif db is not None:
        existing.url = db


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or migrate it to this version's schema."""
    e = env(ctx)
    before, after = migrate(e.engine)
    where = e.engine.url.render_as_string(hide_password=True)
    if before is None:
        console.print(f"created the Arrêt schema (revision {after}) in {where}", markup=False)
    elif before != after:
        console.print(f"migrated {where} from revision {before} to {after}", markup=False)
    else:
        console.print(f"{where} is already at revision {after}", markup=False)


@app.command()
def demo(
    ctx: typer.Context,
    actor: Annotated[str, typer.Option(help="Who records the demo.")] = "demo",
    tokens: Annotated[
        bool,
        typer.Option(help="Print fresh web UI tokens for each role (revoking earlier ones)."),
    ] = True,
) -> None:
    """Load the 2021 case: four ISPs, the Paris court's order n° 21-51823, and a mirror.

    Fictitious names under .example stand for the real sites. Creates the database first
    if needed; running it twice changes nothing in the registry (only the demo's tokens
    are renewed, since a token is shown only once).
    """
    e = env(ctx)
    migrate(e.engine)
    with e.transaction() as conn:
        now = e.clock.now()
        loaded = demo_service.load(conn, now, actor or default_actor())
        fresh = demo_service.tokens(conn, now, actor or default_actor()) if tokens else []
    for line in loaded.lines:
        console.print(line, markup=False)
    if fresh:
        console.print(
            "\nTokens to log in to the web UI (new at each run; the previous demo tokens "
            "are revoked):",
            markup=False,
        )
        for role, token in fresh:
            typer.echo(f"  {role:<18} {token}")


def main() -> None:
    app()
