"""`arret serve`: the feed's DNS server and the scheduler that moves the feed in time, and
the HTTP side (REST API, web UI, public register, notice page) in a worker process it
starts (`arret.workers`).

The process itself lives in `arret.serving`, imported only when `serve` runs: FastAPI,
uvicorn and the rest would add 0.4 s to the start of every other command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arret.cli.context import CLOCK_OFFSET, env
from arret.cli.options import Canaries, Control
from arret.cli.output import console
from arret.cli.start import restart_with_returning_allocator
from arret.domain.instants import OffsetClock, format_second
from arret.domain.lifecycle import CONFIRM_ABOVE
from arret.rpz.zone import FeedSettings


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
            help="A registration or amendment of more names (added and removed) needs a "
            "confirmation: the web UI's plan page, the API's ?confirm=true.",
        ),
    ] = CONFIRM_ABOVE,
    max_body: Annotated[
        str,
        typer.Option(
            metavar="SIZE",
            help="The largest request body an authority may send (a million-name order is "
            "about 40 MB of JSON). Everyone else: at most 64KiB.",
        ),
    ] = "64MiB",
    max_document: Annotated[
        str,
        typer.Option(
            metavar="SIZE",
            help="The largest document (decision or evidence) attached through the API or "
            "the web UI.",
        ),
    ] = "16MiB",
    session_lifetime: Annotated[
        str,
        typer.Option(
            metavar="8h",
            help="How long a web UI login lasts (logging out ends it at once).",
        ),
    ] = "8h",
    probe_every: Annotated[
        str,
        typer.Option(
            metavar="15min",
            help="Probe the operators' resolvers this often, and in a burst after every "
            "publication; 'off' never.",
        ),
    ] = "15min",
    control: Control = None,
    canary: Canaries = None,
    tcp_connections: Annotated[
        int,
        typer.Option(metavar="N", min=1, help="DNS TCP connections open at once; more are closed."),
    ] = 512,
    tcp_per_source: Annotated[
        int,
        typer.Option(metavar="N", min=1, help="DNS TCP connections open at once from one address."),
    ] = 32,
    contest_deadline: Annotated[
        str,
        typer.Option(metavar="15d", help="How long the authority has to decide a contest."),
    ] = "15d",
    bystander_deadline: Annotated[
        str,
        typer.Option(
            metavar="48h",
            help="How long it has to decide a bystander's contest (a host's or a CDN's).",
        ),
    ] = "48h",
    contest_work: Annotated[
        int,
        typer.Option(
            metavar="BITS",
            min=1,
            max=32,
            help="The proof of work a contest needs: leading zero bits of a SHA-256 (each "
            "bit doubles the work; 16 takes up to about a second in a browser).",
        ),
    ] = 16,
    contests_per_name: Annotated[
        int, typer.Option(metavar="N", min=1, help="Contests taken per name in an hour.")
    ] = 20,
    contests_per_hour: Annotated[
        int, typer.Option(metavar="N", min=1, help="Contests taken in all in an hour.")
    ] = 500,
    contest_mail: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Tell this address of each new contest, and of each nearing its deadline "
            "(needs --smtp).",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Send e-mail through this server: smtp://[user:password@]host[:port] "
            "(STARTTLS when offered) or smtps://… Mail waits in the database's outbox "
            "until the server takes it.",
        ),
    ] = None,
    mail_from: Annotated[
        str, typer.Option(metavar="ADDRESS", help="The sender of Arrêt's e-mail.")
    ] = "arret@localhost",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every transfer and refusal.")
    ] = False,
) -> None:
    """Serve every operator's feed (SOA, AXFR, IXFR, NOTIFY), publish at every effective
    and expiry instant, and serve the web UI, the REST API and the notice page. Stops
    cleanly on SIGTERM or Ctrl-C. No access log is written: the notice page's visitors
    are not recorded."""
    restart_with_returning_allocator()  # when `arret.cli.start` did not already
    from arret.cli.options import size, span
    from arret.domain.operators import check_endpoint
    from arret.feed.transport import TcpLimits
    from arret.services.probing import Settings as ProbeSettings
    from arret.serving import ServeOptions, run

    e = env(ctx)
    now = e.clock.now()
    every = None if probe_every == "off" else span(probe_every, now)
    body_limit = size(max_body, "--max-body")
    lifetime = span(session_lifetime, now)
    probe = ProbeSettings(
        control=check_endpoint(control) if control else None, canaries=tuple(canary or ())
    )
    from arret.domain.contests import Limits as ContestLimits
    from arret.services.mail import Relay

    contests = ContestLimits(
        deadline=span(contest_deadline, now),
        bystander_deadline=span(bystander_deadline, now),
        pow_bits=contest_work,
        per_name=contests_per_name,
        overall=contests_per_hour,
    )
    relay = Relay.parse(smtp, mail_from) if smtp else None
    options = ServeOptions(
        dns=dns,
        http=http,
        notice_host=notice_host,
        public_url=public_url,
        session_secret_file=session_secret_file,
        confirm_above=confirm_above,
        max_body=body_limit,
        session_lifetime=lifetime,
        documents_dir=e.documents_dir,
        max_document=size(max_document, "--max-document"),
        verbose=verbose,
        probe_every=every,
        probe=probe,
        tcp=TcpLimits(total=tcp_connections, per_source=tcp_per_source),
        contests=contests,
        contest_mail=contest_mail,
        relay=relay,
    )
    if isinstance(e.clock, OffsetClock):
        console.print(
            f"arret: the clock is the system's moved by {e.clock.offset.total_seconds():+g} s "
            f"({CLOCK_OFFSET}, for tests and demos only): now is {format_second(now)}",
            markup=False,
        )
    from arret.services.database import EngineSpec

    database = EngineSpec(e.url, e.lock_wait, e.log_key, e.log_next_key)
    run(e.engine, e.clock, options, lambda line: console.print(line, markup=False), database)
