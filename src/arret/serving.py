"""The `arret serve` process: the feed's DNS server and scheduler in one asyncio event loop,
and the HTTP side in a worker process it starts, replaces after a burst and starts again
if it ends (`arret.workers`); all stopped together on SIGTERM or SIGINT.

The worker's process is started first: it imports the HTTP stack (0.4 s on an idle
machine, seconds on a loaded one) while the feed loads and publishes, in another process
that does not hold the feed up on two cores or more; it gets its settings and accepts once
the feed answers, so that resolvers restarted with the registry get their zones first and
the web UI follows within moments."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine

from arret.domain.contests import Limits as ContestLimits
from arret.domain.instants import Clock
from arret.domain.lifecycle import CONFIRM_ABOVE
from arret.domain.operators import check_endpoint
from arret.errors import ArretError
from arret.feed.cache import DatabaseFeed
from arret.feed.notify import Notifier
from arret.feed.scheduler import Health
from arret.feed.server import FeedServer
from arret.feed.state import LocalFeed
from arret.feed.transport import TcpLimits
from arret.probes.schedule import next_round
from arret.rpz.resolvers import split_endpoint
from arret.rpz.zone import FeedSettings
from arret.services import mail, probing
from arret.services.database import (
    EngineSpec,
    checkpoint,
    checkpoint_in_background,
    require_current,
    require_log_key,
)
from arret.services.mail import Relay
from arret.services.probing import Settings as ProbeSettings


@dataclass(frozen=True)
class ServeOptions:
    dns: str = "127.0.0.1:5353"
    http: str = "127.0.0.1:8080"
    notice_host: str = FeedSettings.notice_host
    public_url: str | None = None
    session_secret_file: Path | None = None
    confirm_above: int = CONFIRM_ABOVE
    #: The largest request body of an authority, in bytes (HttpSettings.max_body).
    max_body: int = 64 * 2**20
    #: How long a web UI login lasts (HttpSettings.session_lifetime).
    session_lifetime: timedelta = timedelta(hours=8)
    #: Where orders' documents are kept (None: the database) and the largest one, in bytes.
    documents_dir: Path | None = None
    max_document: int = 16 * 2**20
    verbose: bool = False
    #: How often every operator's resolvers are probed (None: never); and in a burst
    #: after every publication.
    probe_every: timedelta | None = timedelta(minutes=15)
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    tcp: TcpLimits = field(default_factory=TcpLimits)
    contests: ContestLimits = field(default_factory=ContestLimits)
    #: Who is told of new contests by e-mail, and through which server (None: nobody).
    contest_mail: str | None = None
    relay: Relay | None = None


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


log = logging.getLogger("arret.probe")
db_log = logging.getLogger("arret.db")

#: How often the outbox is looked at (and reminders of contests' deadlines queued).
MAIL_EVERY = 5.0


async def mail_rounds(
    engine: Engine,
    clock: Clock,
    server: FeedServer,
    options: ServeOptions,
    url: str,
    stop: asyncio.Event,
) -> None:
    """Send the outbox's mail, and queue reminders of contests nearing their deadline,
    every `MAIL_EVERY` seconds until `stop` — on the publisher only, so that several
    instances do not send one message twice."""
    relay = options.relay
    assert relay is not None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), MAIL_EVERY)
        if stop.is_set() or not server.role.publishing:
            continue
        try:
            await asyncio.to_thread(_mail_round, engine, clock, relay, options, url)
        except Exception:  # the database or the mail server failed: the next round retries
            log.exception("mail round failed")


def _mail_round(
    engine: Engine, clock: Clock, relay: Relay, options: ServeOptions, url: str
) -> None:
    if options.contest_mail:
        with engine.begin() as conn:
            mail.remind(conn, clock.now(), options.contest_mail, url)
    mail.deliver(engine, relay, clock.now())


async def probe_rounds(
    engine: Engine,
    clock: Clock,
    server: FeedServer,
    every: timedelta,
    settings: ProbeSettings,
    stop: asyncio.Event,
) -> None:
    """Probe on a schedule and in a burst after each publication, until `stop`."""
    last: datetime | None = None
    published: datetime | None = None
    nudge = asyncio.Event()

    def on_publish(_views: object) -> None:
        nonlocal published
        published = clock.now()
        nudge.set()

    server.on_publish.append(on_publish)
    while not stop.is_set():
        now = clock.now()
        wait = (next_round(now, last, published, every) - now).total_seconds()
        if wait > 0:
            nudge.clear()
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(nudge.wait())}
            _done, pending = await asyncio.wait(
                waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            continue
        last = now
        if not server.role.publishing:
            continue  # the publisher probes; this round's time passes here too
        try:
            done = await asyncio.to_thread(probing.run, engine, clock, None, settings)
        except Exception:  # a failed round must not stop the feed; the next one retries
            log.exception("probing round failed")
            continue
        if done.results:
            blocked = sum(n for (_, _, _, kind), n in done.kinds.items() if kind.value == "blocked")
            log.info("probed %d names: %d blocked answers", done.results, blocked)


#: Seconds between two copies of SQLite's write-ahead log into the database by `arret
#: serve` (`arret.services.database.checkpoint_in_background`): the log holds what about two
#: seconds of writes put in it, and no request waits for the copy.
CHECKPOINT_EVERY = 1.0


async def checkpoint_rounds(
    engine: Engine,
    stop: asyncio.Event,
    every: float = CHECKPOINT_EVERY,
    health: Health | None = None,
) -> None:
    """Checkpoint the SQLite database every `every` seconds until `stop`. A failure (a
    full disk) is logged once, counted in `health` (`/metrics`), retried, and its end
    logged: it never stops the server, whose commits keep going to the log meanwhile."""
    health = health if health is not None else Health()
    failing = ""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        try:
            await asyncio.to_thread(checkpoint, engine)
        except Exception as exc:
            health.checkpoint_failing = True
            health.checkpoint_failures_total += 1
            if str(exc) != failing:
                db_log.warning("copying the write-ahead log into the database failed (%s); "
                               "retrying every %g s", exc, every)  # fmt: skip
            failing = str(exc)
            continue
        health.checkpoint_failing = False
        if failing:
            db_log.warning("the write-ahead log is copied into the database again")
            failing = ""


async def open_feed(server: FeedServer, notice_host: str, host: str, port: int) -> tuple[bool, int]:
    """Start the feed: publish what is due and load every zone, then listen on UDP and
    TCP, and only then NOTIFY. Loading first means no query finds the feed empty;
    notifying last means no resolver is told of a serial it cannot fetch yet (Knot DNS,
    NSD and BIND transfer the moment they are told, and a refused connection left them
    on the old serial until their refresh timer, minutes later). Returns whether the
    publication pass worked (it is retried if not) and the DNS port."""
    # Recorded by the first publication pass, so a database that cannot be written now
    # (locked by a long write, full) delays it instead of preventing the start.
    server.scheduler.pending_notice_host = notice_host
    # Whether this instance publishes, known before its first pass (several instances on
    # one PostgreSQL: the first to start does; the others follow).
    server.role.settle(await asyncio.to_thread(server.role.check))
    published = await server.tick(force=True)
    bound = await server.start(host, port)  # sends the NOTIFYs the pass held back
    return published, bound


def run(
    engine: Engine,
    clock: Clock,
    options: ServeOptions,
    say: Callable[[str], None],
    database: EngineSpec,
) -> None:
    """Serve until SIGTERM or SIGINT. `engine` is `database` opened; the HTTP worker opens
    it again."""
    require_current(engine)
    # Every publication is signed into the log: no key (or a key others can read), no start.
    require_log_key(engine)
    # Requests never wait for SQLite's log to be copied into the database: a task does.
    own_checkpoints = checkpoint_in_background(engine)
    logging.basicConfig(
        level=logging.INFO if options.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    dns_host, dns_port = split_endpoint(check_endpoint(options.dns))
    http_host, http_port = split_endpoint(check_endpoint(options.http))
    feed_settings = FeedSettings(notice_host=options.notice_host.rstrip(".") + ".")
    server = FeedServer(
        engine,
        clock,
        DatabaseFeed(engine, feed_settings),
        Notifier(feed_settings, clock=clock),
        options.tcp,
    )
    sock = listen(http_host, http_port)
    bound_http = sock.getsockname()[1]
    url = options.public_url or f"http://{shown(http_host, bound_http)}"
    secret = read_secret(options.session_secret_file)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        from arret.http.runtime import HttpSettings
        from arret.workers import HttpWorkers

        web = HttpWorkers(sock, database, clock, LocalFeed(server), options.verbose)
        await web.prepare()  # imports the HTTP stack while the feed loads
        try:
            published, bound = await open_feed(server, feed_settings.notice_host, dns_host,
                                               dns_port)  # fmt: skip
        except OSError as exc:
            server.close()
            await web.abandon()
            raise ArretError(
                f"cannot listen for DNS on {dns_host} port {dns_port}: {exc.strerror}; choose "
                "another with --dns HOST:PORT (on a desktop, 5353 may be taken by mDNS)"
            ) from None
        if not published:
            say(f"arret: cannot publish yet ({server.health.last_error}); serving what the "
                "database holds and retrying")  # fmt: skip
        for published_zone in server.scheduler.adopted:
            say(f"arret: notice host is now {feed_settings.notice_host}: "
                f"{published_zone.operator} gets serial {published_zone.serial} "
                "(full transfer)")  # fmt: skip
        try:
            settings = HttpSettings(
                notice_host=feed_settings.notice_host.rstrip("."),
                confirm_above=options.confirm_above,
                max_body=options.max_body,
                session_lifetime=options.session_lifetime,
                documents_dir=options.documents_dir,
                max_document=options.max_document,
                dns_endpoint=shown(dns_host, bound),
                public_url=url,
                own_hosts=frozenset({"localhost", urlsplit(url).hostname or "localhost"}),
                session_secret=secret if secret is not None else secrets.token_urlsafe(32),
                contests=options.contests,
                contest_mail=options.contest_mail,
            )
            await web.start(settings)
        except ArretError:  # refused settings, or a worker that cannot start
            server.close()
            await web.abandon()
            raise
        web_task = asyncio.create_task(web.run(stop))
        checkpoints = (
            asyncio.create_task(checkpoint_rounds(engine, stop, health=server.health))
            if own_checkpoints
            else None
        )
        say(f"arret: feed on {shown(dns_host, bound)} (UDP and TCP)")
        for view in server.feed.zones():
            say(f"  {view.zone} serial {view.serial}, {len(view.entries)} records")
        say(f"arret: web UI on {url}/ (public register; API docs at {url}/api/docs)")
        rounds = (
            asyncio.create_task(
                probe_rounds(engine, clock, server, options.probe_every, options.probe, stop)
            )
            if options.probe_every is not None
            else None
        )
        role = asyncio.create_task(server.role.run(stop))
        mailing = (
            asyncio.create_task(mail_rounds(engine, clock, server, options, url, stop))
            if options.relay is not None
            else None
        )
        if options.relay is not None:
            say(f"arret: e-mail through {options.relay}")
        if server.role.shared:
            say(f"arret: {'publishing' if server.role.publishing else 'following'} "
                "(one instance publishes, NOTIFYs and probes; the others take over)")  # fmt: skip
        try:
            await server.run_scheduler(stop)
        finally:
            await role
            if mailing is not None:
                await mailing
            if rounds is not None:
                rounds.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await rounds
            stop.set()
            await web_task
            if checkpoints is not None:
                await checkpoints
            server.close()
        say("arret: stopped")

    try:
        asyncio.run(main())
    finally:
        sock.close()
