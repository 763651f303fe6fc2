"""`arret serve`: one process for the feed's DNS server, the scheduler that moves the feed
in time, and the HTTP side (REST API, web UI, public register, notice page)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
import uvicorn

from arret.api.app import create_app
from arret.api.runtime import HttpSettings, Runtime
from arret.cli.context import env
from arret.cli.output import console
from arret.domain.operators import check_endpoint
from arret.errors import ArretError
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.server import FeedServer
from arret.rpz.resolvers import split_endpoint
from arret.rpz.zone import FeedSettings
from arret.store.db import require_current


class _Http(uvicorn.Server):
    """uvicorn inside our event loop: signals are `arret serve`'s to handle, not its."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ArretError(f"cannot listen for HTTP on {host} port {port}: {exc.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def read_secret(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ArretError(f"cannot read the session secret file {str(path)!r}: {exc}") from None


def shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(
    ctx: typer.Context,
    dns: Annotated[
        str, typer.Option(metavar="HOST:PORT", help="Where to answer DNS (UDP and TCP).")
    ] = "127.0.0.1:5353",
    http: Annotated[
        str,
        typer.Option(
            metavar="HOST:PORT", help="Where to serve the web UI, the API and the notice page."
        ),
    ] = "127.0.0.1:8080",
    notice_host: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="The host that `notice` answers point to (it serves the notice page).",
        ),
    ] = FeedSettings.notice_host,
    public_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="The web UI's address as people reach it (default: http://HTTP-HOST:PORT).",
        ),
    ] = None,
    session_secret_file: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A file holding the key that signs session cookies (at least 32 random "
            "characters). Default: a new random key at each start (everyone logs in again).",
        ),
    ] = None,
    confirm_above: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="The web UI asks for confirmation before blocking or unblocking more names.",
        ),
    ] = 100,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every transfer and refusal.")
    ] = False,
) -> None:
    """Serve every operator's feed (SOA, AXFR, IXFR, NOTIFY), publish at every effective
    and expiry instant, and serve the web UI, the REST API and the notice page. Stops
    cleanly on SIGTERM or Ctrl-C. No access log is written: the notice page's visitors
    are not recorded."""
    e = env(ctx)
    require_current(e.engine)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    dns_host, dns_port = split_endpoint(check_endpoint(dns))
    http_host, http_port = split_endpoint(check_endpoint(http))
    feed_settings = FeedSettings(notice_host=notice_host.rstrip(".") + ".")
    server = FeedServer(
        e.engine, e.clock, DatabaseFeed(e.engine, feed_settings), Notifier(feed_settings)
    )
    sock = listen(http_host, http_port)
    bound_http = sock.getsockname()[1]
    url = public_url or f"http://{shown(http_host, bound_http)}"
    secret = read_secret(session_secret_file)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await server.tick(force=True)
        try:
            bound = await server.start(dns_host, dns_port)
        except OSError as exc:
            server.close()
            raise ArretError(
                f"cannot listen for DNS on {dns_host} port {dns_port}: {exc.strerror}; choose "
                "another with --dns HOST:PORT (on a desktop, 5353 may be taken by mDNS)"
            ) from None
        settings = HttpSettings(
            notice_host=feed_settings.notice_host.rstrip("."),
            confirm_above=confirm_above,
            dns_endpoint=shown(dns_host, bound),
            public_url=url,
            own_hosts=frozenset({"localhost", urlsplit(url).hostname or "localhost"}),
            session_secret=secret if secret is not None else secrets.token_urlsafe(32),
        )
        app = create_app(Runtime(e.engine, e.clock, settings, server))
        config = uvicorn.Config(
            app,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            log_config=None,
            lifespan="off",
            log_level="info" if verbose else "warning",
        )
        web = _Http(config)
        web_task = asyncio.create_task(web.serve(sockets=[sock]))
        console.print(f"arret: feed on {shown(dns_host, bound)} (UDP and TCP)", markup=False)
        for view in server.feed.zones():
            console.print(f"  {view.zone} serial {view.serial}, {len(view.entries)} records",
                          markup=False)  # fmt: skip
        console.print(
            f"arret: web UI on {url}/ (public register; API docs at {url}/api/docs)",
            markup=False,
        )
        try:
            await server.run_scheduler(stop)
        finally:
            web.should_exit = True
            await web_task
            server.close()
        console.print("arret: stopped", markup=False)

    try:
        asyncio.run(main())
    finally:
        sock.close()
