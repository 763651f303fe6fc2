"""`arret`: the command line. Commands parse, call a service, print; nothing else.

Errors meant for users (`arret.errors.ArretError`) become a message on stderr and a
non-zero exit status here, in one place (`ArretGroup.invoke`).

Each command's module is imported only when that command runs (or when a help listing
every command is shown), so that a command pays at start-up only for what it uses:
`arret order amend` does not load the DNS client, the probes or the web server.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from typer.core import TyperGroup

from arret.cli import coercion
from arret.cli.context import (
    Env,
    confirm_above_of,
    default_actor,
    documents_dir_of,
    env,
    lock_wait_of,
    log_key_path,
    log_next_key_path,
)
from arret.cli.output import console
from arret.domain.lifecycle import CONFIRM_ABOVE
from arret.errors import ArretError
from arret.services.database import LOCK_WAIT, classify, database_url, migrate

if TYPE_CHECKING:  # typer's own copy of click: the separate package costs 0.1 s to import
    from typer import _click as click

coercion.install()

#: The commands defined in other modules: name -> (module under arret.cli, attribute),
#: the attribute a Typer app (a group of commands) or a function (one command).
LAZY = {
    "policy": ("policy", "policy"),
    "serve": ("serve", "serve"),
    "probe": ("probe", "probe"),
    "report": ("report", "report"),
    "operator": ("operators", "app"),
    "order": ("orders", "app"),
    "allow": ("allow", "app"),
    "feed": ("feed", "app"),
    "token": ("tokens", "app"),
    "log": ("log", "app"),
}
#: The order `arret --help` lists the commands in.
LISTED = ("policy", "serve", "probe", "report", "init", "demo", "operator", "order", "allow",
          "feed", "token", "log")  # fmt: skip


def load_command(name: str) -> click.Command:
    """The click command `name` of LAZY, its module imported now."""
    module, attribute = LAZY[name]
    target = getattr(importlib.import_module(f"arret.cli.{module}"), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class ArretGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [n for n in LISTED if n in self.commands or n in LAZY]
        return known + [n for n in self.commands if n not in LISTED]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ArretError as error:
            typer.echo(f"arret: {error.diagnostics()}", err=True)
            raise typer.Exit(error.exit_code) from None
        except (DBAPIError, PoolTimeout) as error:
            # A busy database, a full disk, a lost connection: one line and its own exit
            # status (7, 8, 9), not a driver's traceback. Anything else is a bug: raised.
            known = classify(error)
            if known is None:
                raise
            typer.echo(f"arret: {known.diagnostics()}", err=True)
            raise typer.Exit(known.exit_code) from None


app = typer.Typer(
    cls=ArretGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Arrêt: legal DNS blocking orders, from the authority to every addressed resolver.",
)


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
    log_key: Annotated[
        str | None,
        typer.Option(
            "--log-key",
            metavar="PATH",
            help="The transparency log's Ed25519 signing key (default: env ARRET_LOG_KEY, "
            "else arret-log.key in the current folder; `arret init` creates it).",
        ),
    ] = None,
    log_next_key: Annotated[
        str | None,
        typer.Option(
            "--log-next-key",
            metavar="PATH",
            help="A second signing key, used once the log has been handed over to it "
            "(`arret log rotate-key`): give it to every process before the hand-over and "
            "the rotation has no gap (default: env ARRET_LOG_NEXT_KEY).",
        ),
    ] = None,
    lock_wait: Annotated[
        float | None,
        typer.Option(
            "--lock-wait",
            metavar="SECONDS",
            min=0.001,
            help="How long a write waits for another writer's lock before giving up with "
            f"exit status 7 (default: env ARRET_LOCK_WAIT, else {LOCK_WAIT:g}).",
        ),
    ] = None,
    documents: Annotated[
        str | None,
        typer.Option(
            "--documents",
            metavar="DIR",
            help="Keep the content of orders' documents in files of DIR, named by their "
            "SHA-256, rather than in the database (default: env ARRET_DOCUMENTS, else the "
            "database).",
        ),
    ] = None,
    confirm_above: Annotated[
        int | None,
        typer.Option(
            "--confirm-above",
            metavar="N",
            min=0,
            help="A change adding and removing more names than N needs --yes, else it is "
            f"refused with exit status 10 (default: env ARRET_CONFIRM_ABOVE, else "
            f"{CONFIRM_ABOVE}).",
        ),
    ] = None,
) -> None:
    """Arrêt: legal DNS blocking orders, from the authority to every addressed resolver."""
    existing = ctx.find_object(Env)
    if existing is None:
        ctx.obj = Env(database_url(db), log_key=log_key_path(log_key),
                      log_next_key=log_next_key_path(log_next_key),
                      lock_wait=lock_wait_of(lock_wait),
                      confirm_above=confirm_above_of(confirm_above),
                      documents_dir=documents_dir_of(documents))  # fmt: skip
    else:
        if db is not None:
            existing.url = db
        if log_key is not None:
            existing.log_key = Path(log_key)
        if log_next_key is not None:
            existing.log_next_key = Path(log_next_key)
        if lock_wait is not None:
            existing.lock_wait = lock_wait
        if confirm_above is not None:
            existing.confirm_above = confirm_above
        if documents is not None:
            existing.documents_dir = Path(documents)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or migrate it to this version's schema; create the
    transparency log's signing key if there is none."""
    from arret.cli.progress import shown
    from arret.services import log as log_service

    e = env(ctx)
    with shown() as progress:
        before, after = migrate(e.engine, progress)
        progress("preparing the log signing key", 0, None)
        created = _log_key(e)
        with e.transaction() as conn:
            appended = log_service.backfill(conn, e.clock.now(), progress)
            progress("committing", 0, None)
    console.print(created, markup=False)
    if appended:
        console.print(f"appended {appended} leaves to the transparency log for the history "
                      "recorded before it", markup=False)  # fmt: skip
    where = e.engine.url.render_as_string(hide_password=True)
    if before is None:
        console.print(f"created the Arrêt schema (revision {after}) in {where}", markup=False)
    elif before != after:
        console.print(f"migrated {where} from revision {before} to {after}", markup=False)
    else:
        console.print(f"{where} is already at revision {after}", markup=False)


def _log_key(e: Env) -> str:
    """Create the log key when missing; what to say of where it is and which key it is."""
    from arret import keyfile
    from arret.keyfile import KeyFile
    from arret.tlog import signing

    created = keyfile.create(e.log_key)
    public = KeyFile(e.log_key).public_key()
    verb = "created" if created else "using"
    return (
        f"{verb} the log signing key {e.log_key} (Ed25519, key id "
        f"{signing.key_id(public)[:16]}…); keep it private and out of database backups"
    )


@app.command()
def demo(
    ctx: typer.Context,
    actor: Annotated[str, typer.Option(help="Who records the demo.")] = "demo",
    tokens: Annotated[
        bool,
        typer.Option(help="Print fresh web UI tokens for each role (revoking earlier ones)."),
    ] = True,
    moving: Annotated[
        bool,
        typer.Option(
            help="Also register present-day fictitious orders that move the feed within "
            "minutes: one in force now, a mirror added a minute later, one ending four "
            "minutes later (not again while the first is in force)."
        ),
    ] = True,
) -> None:
    """Load the 2021 case: four ISPs, the Paris court's order n° 21-51823, and a mirror;
    and present-day fictitious orders that make the feed move within minutes.

    Fictitious names under .example stand for the real sites. Creates the database first
    if needed; running it twice changes nothing in the registry (only the demo's tokens
    are renewed, since a token is shown only once).
    """
    from arret.cli.progress import shown
    from arret.services import demo as demo_service

    e = env(ctx)
    with shown() as progress:
        migrate(e.engine, progress)
        progress("preparing the log signing key", 0, None)
        key = _log_key(e)
        with e.transaction() as conn:
            now = e.clock.now()
            progress("loading the 2021 case" + (" and the present-day orders" if moving else ""),
                     0, None)  # fmt: skip
            loaded = demo_service.load(conn, now, actor or default_actor(), moving)
            if tokens:
                progress("creating a token per role", 0, None)
            fresh = demo_service.tokens(conn, now, actor or default_actor()) if tokens else []
            progress("committing", 0, None)
    console.print(key, markup=False)
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
