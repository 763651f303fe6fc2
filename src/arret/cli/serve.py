"""`arret serve`: the feed's DNS server and the scheduler that moves the feed in time."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from arret.cli.context import env
from arret.cli.output import console
from arret.domain.operators import check_endpoint
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.server import FeedServer
from arret.rpz.resolvers import split_endpoint
from arret.rpz.zone import FeedSettings
from arret.store.db import require_current


def serve(
    ctx: typer.Context,
    dns: Annotated[
        str, typer.Option(metavar="HOST:PORT", help="Where to answer DNS (UDP and TCP).")
    ] = "127.0.0.1:5353",
    notice_host: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="The host that `notice` answers point to (it serves the notice page).",
        ),
    ] = FeedSettings.notice_host,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every transfer and refusal.")
    ] = False,
) -> None:
    """Serve every operator's feed (SOA, AXFR, IXFR, NOTIFY) and publish at every
    effective and expiry instant. Stops cleanly on SIGTERM or Ctrl-C."""
    e = env(ctx)
    require_current(e.engine)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    host, port = split_endpoint(check_endpoint(dns))
    settings = FeedSettings(notice_host=notice_host.rstrip(".") + ".")
    server = FeedServer(e.engine, e.clock, DatabaseFeed(e.engine, settings), Notifier(settings))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await server.tick(force=True)
        bound = await server.start(host, port)
        shown = f"[{host}]" if ":" in host else host
        console.print(f"arret: feed on {shown}:{bound} (UDP and TCP)", markup=False)
        for view in server.feed.zones():
            console.print(f"  {view.zone} serial {view.serial}, {len(view.entries)} records",
                          markup=False)  # fmt: skip
        try:
            await server.run_scheduler(stop)
        finally:
            server.close()
        console.print("arret: stopped", markup=False)

    asyncio.run(main())
