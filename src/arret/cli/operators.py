"""`arret operator …`: the ISPs that orders address."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from arret import views
from arret.cli.context import env
from arret.cli.options import Actor, At, Json, actor_of, instant, span
from arret.cli.output import console, print_fields, print_json, print_table
from arret.domain.model import OperatorKey
from arret.errors import InvalidConfig, InvalidOperator
from arret.rpz.resolvers import Resolver
from arret.rpz.zone import FeedSettings
from arret.services import keys, queries, registry
from arret.services.status import operator_status

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
    allow_from: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CIDR",
            help="A source network allowed to transfer the feed without TSIG (Unbound).",
        ),
    ] = None,
    actor: Actor = None,
) -> None:
    """Add an operator and create its TSIG key, printed this once."""
    e = env(ctx)
    with e.transaction() as conn:
        op, key = registry.add_operator(
            conn, name, e.clock.now(), actor_of(actor), notify or [], probe or [], allow_from or []
        )
    console.print(
        f"operator {op.name} added; its feed zone is {FeedSettings().zone(op.name)}", markup=False
    )
    print_key(key)


def print_key(key: OperatorKey) -> None:
    console.print(
        f"TSIG key (shown once; `arret operator config {key.operator}` writes it into a "
        f"resolver's configuration):\n"
        f"  name:      {key.name}\n  algorithm: {key.algorithm}\n  secret:    {key.secret}",
        markup=False,
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: str,
    notify: Annotated[
        list[str] | None,
        typer.Option(metavar="HOST:PORT", help="Resolvers to NOTIFY (replaces the list)."),
    ] = None,
    probe: Annotated[
        list[str] | None,
        typer.Option(metavar="HOST:PORT", help="Resolvers to probe (replaces the list)."),
    ] = None,
    allow_from: Annotated[
        list[str] | None,
        typer.Option(metavar="CIDR", help="Networks allowed without TSIG (replaces the list)."),
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(metavar="LIST", help="Empty a list: notify, probe or allow-from."),
    ] = None,
    actor: Actor = None,
) -> None:
    """Change an operator's resolvers or source networks (each option replaces its list)."""
    cleared = set(clear or [])
    unknown = cleared - {"notify", "probe", "allow-from"}
    if unknown:
        raise InvalidOperator(f"--clear takes notify, probe or allow-from, not {sorted(unknown)}")
    e = env(ctx)
    with e.transaction() as conn:
        op = registry.change_operator(
            conn, name, e.clock.now(), actor_of(actor),
            notify=[] if "notify" in cleared else notify,
            probe=[] if "probe" in cleared else probe,
            allow_from=[] if "allow-from" in cleared else allow_from,
        )  # fmt: skip
    print_fields([("operator", op.name), ("notify", " ".join(op.notify) or "-"),
                  ("probe", " ".join(op.probe) or "-"),
                  ("allow transfers from", " ".join(op.allow_from) or "-")])  # fmt: skip


@app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    name: str,
    overlap: Annotated[
        str, typer.Option(metavar="DURATION", help="How long the old key keeps working.")
    ] = "7d",
    actor: Actor = None,
) -> None:
    """Create a new TSIG key; the old one keeps working for --overlap, then retires."""
    e = env(ctx)
    now = e.clock.now()
    length = span(overlap, now)
    with e.transaction() as conn:
        key, all_keys = keys.rotate(conn, name, now, actor_of(actor), length)
    print_key(key)
    for k in all_keys:
        if k.name != key.name and k.retired_at and k.retired_at > now:
            console.print(f"{k.name} still works until {views.when(k.retired_at)}", markup=False)


@app.command("config")
def config(
    ctx: typer.Context,
    name: str,
    resolver: Annotated[
        Resolver,
        typer.Option(
            case_sensitive=False,
            help="The resolver (or secondary) to configure: " + ", ".join(Resolver) + ".",
        ),
    ],
    server: Annotated[
        list[str] | None,
        typer.Option(
            metavar="HOST:PORT",
            help="Where `arret serve` answers DNS (default 127.0.0.1:53). Give it once per "
            "instance serving the feed, the preferred first: the resolver fails over to "
            "the next.",
        ),
    ] = None,
    directory: Annotated[
        str | None,
        typer.Option(
            "--dir",
            help="Where the resolver keeps its copy of the zone (default: a directory its "
            "Debian package may write, e.g. /var/cache/bind). Checked here when given: it "
            "must exist and be writable.",
        ),
    ] = None,
    register_url: Annotated[
        str,
        typer.Option(help="The public register, named in Knot Resolver's blocked answers (EDE)."),
    ] = "http://127.0.0.1:8080/register",
    notice_address: Annotated[
        list[str] | None,
        typer.Option(
            metavar="IP",
            help="An address of the notice host (Knot Resolver: `feed sync` answers it for "
            "`notice` rules, which kresd cannot follow as a CNAME; else NXDOMAIN).",
        ),
    ] = None,
) -> None:
    """Print the configuration that makes a resolver pull this operator's feed, with the
    bound (in seconds) within which its answers follow an order's instants."""
    if directory is not None:
        check_directory(directory)
    e = env(ctx)
    with e.transaction() as conn:
        text = keys.resolver_config(
            conn, name, resolver, server or ["127.0.0.1:53"], e.clock.now(), directory,
            register_url,
            notice_addresses=notice_address or (),
        )  # fmt: skip
    sys.stdout.write(text)


def check_directory(directory: str) -> None:
    """A `--dir` given on the command line exists and is writable (by this user), or the
    command fails before printing anything."""
    path = Path(directory)
    if not path.exists():
        raise InvalidConfig(f"--dir {directory}: no such directory")
    if not path.is_dir():
        raise InvalidConfig(f"--dir {directory}: not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise InvalidConfig(f"--dir {directory}: not writable")


@app.command("list")
def list_(ctx: typer.Context, at: At = None, json: Json = False) -> None:
    """List the operators (those added by --at)."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        ops = [op for op in queries.operators(conn) if op.added_at <= when]
    if json:
        print_json([views.operator(op) for op in ops])
        return
    rows = [
        (op.name, views.when(op.added_at), " ".join(op.notify), " ".join(op.probe)) for op in ops
    ]
    print_table(None, ["operator", "added", "notify", "probe"], rows)


@app.command("show")
def show(ctx: typer.Context, name: str, at: At = None, json: Json = False) -> None:
    """Show an operator, with the orders addressed to it and its policy size at --at."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        status = operator_status(conn, name, when)
    op, addressed, in_force = status.operator, status.orders, status.in_force
    rules, serial, key_list = status.rules, status.serial, status.keys
    valid_keys = [k.name for k in key_list if k.valid_at(when)]
    if json:
        print_json(
            views.operator(op)
            | {
                "at": views.when(when),
                "orders": [o.id for o in addressed],
                "orders_in_force": in_force,
                "rules": rules,
                "serial": serial,
                "keys": [
                    {
                        "name": k.name,
                        "created_at": views.when(k.created_at),
                        "retired_at": views.when(k.retired_at),
                        "valid": k.valid_at(when),
                    }
                    for k in key_list
                ],
            }
        )
        return
    print_fields(
        [
            ("operator", op.name),
            ("added", views.when(op.added_at)),
            ("notify", " ".join(op.notify) or "-"),
            ("probe", " ".join(op.probe) or "-"),
            ("allow transfers from", " ".join(op.allow_from) or "-"),
            ("feed zone", FeedSettings().zone(op.name)),
            ("feed serial", serial),
            ("valid TSIG keys", " ".join(valid_keys) or "-"),
            ("at", views.when(when)),
            ("orders addressed", len(addressed)),
            ("orders in force", " ".join(map(str, in_force)) or "-"),
            ("rules in policy", rules),
        ]
    )
