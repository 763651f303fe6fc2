"""`arret feed …`: a resolver's copy of the feed (`sync`), and new serials for every zone
after a restore of the database (`republish`)."""

from __future__ import annotations

import ipaddress
import os
import time
from pathlib import Path
from typing import Annotated

import dns.exception
import typer

from arret.cli.output import console, say
from arret.cli.summary import took
from arret.domain.operators import check_endpoint
from arret.errors import ArretError
from arret.feed.sync import ZoneFile
from arret.rpz.resolvers import split_endpoint

app = typer.Typer(
    no_args_is_help=True,
    help="The feed: a resolver's copy of it (sync); every zone again after a restore (republish).",
)


#: The environment variable `arret feed sync` reads the TSIG secret from.
SECRET_ENV = "ARRET_TSIG_SECRET"


def read_secret(key_file: Path | None) -> str:
    """The TSIG secret from `key_file` (its first word) or from ARRET_TSIG_SECRET."""
    if key_file is not None:
        try:
            words = key_file.read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError) as exc:
            raise ArretError(f"cannot read the TSIG secret from {key_file}: {exc}") from None
        if not words:
            raise ArretError(f"{key_file} is empty: it should hold the TSIG secret (base64)")
        return words[0]
    return os.environ.get(SECRET_ENV, "").strip()


@app.command("sync")
def sync(
    server: Annotated[
        list[str],
        typer.Option(
            metavar="HOST:PORT",
            help="The feed (arret serve); once per instance serving it, the preferred first.",
        ),
    ],
    zone: Annotated[str, typer.Option(metavar="ZONE", help="e.g. orange.rpz.arret.")],
    out: Annotated[Path, typer.Option(metavar="FILE", help="The zone file to keep current.")],
    key_name: Annotated[str, typer.Option(metavar="NAME", help="TSIG key name.")] = "",
    key_file: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help=f"A file holding the TSIG secret (base64); else env {SECRET_ENV}.",
        ),
    ] = None,
    key_secret: Annotated[
        str | None,
        typer.Option(hidden=True, help="Refused: every local user sees a command line."),
    ] = None,
    interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="How often to ask for changes.")
    ] = 2.0,
    notice_address: Annotated[
        list[str] | None,
        typer.Option(
            metavar="IP",
            help="An address of the notice host, written as local data for each `notice` "
            "rule (Knot Resolver ignores CNAMEs to a custom target); without one, those "
            "rules are written as NXDOMAIN.",
        ),
    ] = None,
    verbatim: Annotated[
        bool, typer.Option(help="Write the zone as served, notice CNAMEs included.")
    ] = False,
    once: Annotated[bool, typer.Option(help="Bring the file up to date once, then exit.")] = False,
) -> None:
    """Keep a zone file current by IXFR (for Knot Resolver, which reads RPZ from files)."""
    if key_secret is not None:
        raise ArretError(
            "--key-secret is refused: a command line is visible to every local user (ps); "
            f"put the secret in a file (--key-file) or in the environment ({SECRET_ENV})"
        )
    secret = read_secret(key_file)
    if bool(key_name) != bool(secret):
        raise ArretError(
            f"give --key-name with its secret (--key-file or {SECRET_ENV}), or neither"
        )
    if interval <= 0:
        raise ArretError(f"--interval must be more than 0 seconds, not {interval:g}")
    addresses = notice_address or []
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ArretError(f"--notice-address {address!r} is not an IP address") from None
    servers = [split_endpoint(check_endpoint(s)) for s in server]
    named = ", ".join(server)
    try:
        target = ZoneFile(servers, zone, out, key_name, secret, addresses, verbatim)
    except (dns.exception.DNSException, ValueError) as exc:
        raise ArretError(f"cannot use key {key_name!r} for {zone}: {exc}") from None
    if once:
        _sync_once(target, named)
        return
    while True:
        try:
            result = target.sync()
            if result.changed:
                console.print(f"{out}: serial {result.serial}", markup=False)
        except (dns.exception.DNSException, OSError) as exc:
            console.print(f"transfer failed ({exc!r}); keeping {out} as it is", markup=False)
        time.sleep(interval)


def _sync_once(target: ZoneFile, named: str) -> None:
    """One sync, its progress shown on a terminal; one line saying what it did."""
    from arret.cli.progress import shown

    started = time.perf_counter()
    try:
        with shown() as progress:
            result = target.sync(progress=progress)
    except (dns.exception.DNSException, OSError) as exc:
        raise ArretError(f"cannot transfer {target.origin} from {named}: {exc!r}") from None
    host, port = target.servers[target.current]
    names = len(target.zone.nodes) - 1  # the apex is no rule
    what = "written" if result.changed else "unchanged"
    say(f"{target.out}: serial {result.serial} from {host}:{port}, {names:,} owner names, "
        f"{what}; in {took(time.perf_counter() - started)}")  # fmt: skip


@app.command("republish")
def republish(
    ctx: typer.Context,
    above: Annotated[
        int | None,
        typer.Option(
            "--above",
            min=0,
            max=2**32 - 1,
            help="A serial some resolver holds (dig @resolver ZONE SOA): every new serial "
            "is above it. Only needed when the registry published faster than one change "
            "per second before the restore; by default serials come from the clock.",
        ),
    ] = None,
) -> None:
    """Give every operator's zone a new serial, its names unchanged, so that every resolver
    fetches its whole zone again: run it once after restoring the database from a backup
    (before starting `arret serve`), so that resolvers holding serials published after the
    backup replace them with what the restored registry says."""
    from arret.cli.context import env
    from arret.services import feed as feed_service

    e = env(ctx)
    with e.transaction() as conn:
        published = feed_service.republish(conn, e.clock.now(), above)
    for p in published:
        console.print(f"{p.operator}: serial {p.serial} (whole zone)", markup=False)
    if not published:
        console.print("no zone to republish", markup=False)
