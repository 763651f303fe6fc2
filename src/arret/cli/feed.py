"""`arret feed …`: tools on the receiving side of the feed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import dns.exception
import typer

from arret.cli.output import console
from arret.domain.operators import check_endpoint
from arret.errors import ArretError
from arret.feed.sync import ZoneFile
from arret.rpz.resolvers import split_endpoint

app = typer.Typer(no_args_is_help=True, help="The feed, seen from a resolver.")


@app.command("sync")
def sync(
    server: Annotated[str, typer.Option(metavar="HOST:PORT", help="The feed (arret serve).")],
    zone: Annotated[str, typer.Option(metavar="ZONE", help="e.g. orange.rpz.arret.")],
    out: Annotated[Path, typer.Option(metavar="FILE", help="The zone file to keep current.")],
    key_name: Annotated[str, typer.Option(metavar="NAME", help="TSIG key name.")] = "",
    key_secret: Annotated[str, typer.Option(metavar="BASE64", help="TSIG secret.")] = "",
    interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="How often to ask for changes.")
    ] = 5.0,
    once: Annotated[bool, typer.Option(help="Bring the file up to date once, then exit.")] = False,
) -> None:
    """Keep a zone file current by IXFR (for Knot Resolver, which reads RPZ from files)."""
    if bool(key_name) != bool(key_secret):
        raise ArretError("give both --key-name and --key-secret, or neither")
    host, port = split_endpoint(check_endpoint(server))
    target = ZoneFile(host, port, zone, out, key_name, key_secret)
    while True:
        try:
            result = target.sync()
            if result.changed:
                console.print(f"{out}: serial {result.serial}", markup=False)
        except (dns.exception.DNSException, OSError) as exc:
            if once:
                raise ArretError(f"cannot transfer {zone} from {server}: {exc!r}") from None
            console.print(f"transfer failed ({exc!r}); keeping {out} as it is", markup=False)
        if once:
            return
        time.sleep(interval)
