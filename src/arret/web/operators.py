"""An operator's page: what it must block now, what changed since a serial, its feed's
serial and last transfer, what each resolver was last seen holding (and the NOTIFY being
re-sent to it), and the configuration of each resolver."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from arret.errors import ArretError, Forbidden
from arret.feed.state import OperatorFeed
from arret.http.deps import Rt
from arret.probes.interval import Interval, wilson
from arret.probes.measures import CONCLUSIVE, Probed
from arret.probes.records import Result
from arret.probes.series import BLOCKING, over_time, polyline
from arret.probes.verdict import Kind, Purpose
from arret.rpz.resolvers import Resolver
from arret.rpz.zone import FeedSettings
from arret.services import evidence, keys, queries, registry
from arret.services.status import changes_since, feed_status
from arret.web import session
from arret.web.pages import render_page

router = APIRouter(include_in_schema=False)


#: The operator's page lists at most this many names (the API gives all of them).
SHOWN_NAMES = 1000


@router.get("/operators/{name}")
def operator_page(
    name: str,
    request: Request,
    rt: Rt,
    since: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    user = session.require(request, rt)
    now = rt.clock.now()
    problem = None
    with rt.read() as conn:
        queries.operator(conn, name)
        if not user.reads_operator(name):
            raise Forbidden(f"a {user.role} login cannot read operator {name!r}")
        status = feed_status(conn, name)
        rules, total = registry.policy_page(conn, name, now, SHOWN_NAMES)
        try:
            since_serial = int(since) if since.strip() else None
            changes = changes_since(conn, name, since_serial, limit=20)
        except ValueError:
            problem, changes = f"{since!r} is not a serial number", []
        except ArretError as error:
            problem, changes = error.summary, []
        register = rt.settings.public_url.rstrip("/") + "/register"
        snippets = {
            r.value: keys.resolver_config(
                conn,
                name,
                r,
                rt.settings.dns_endpoint,
                now,
                register_url=register,
                redact=not user.holds_secrets_of(name),
            )
            for r in Resolver
        }
    seen = rt.feed.operator(name) if rt.feed is not None else OperatorFeed()
    return render_page(
        request,
        rt,
        "operator.html",
        user=user,
        operator=name,
        zone=FeedSettings().zone(name),
        status=status,
        last=seen.last,
        resolvers=seen.resolvers,
        rules=rules,
        total=total,
        changes=changes,
        since=since,
        problem=problem,
        snippets=snippets,
    )


#: The compliance page shows the results of this last stretch of time.
SHOWN_PERIOD = timedelta(days=7)
SHOWN_EVIDENCE = 500


@router.get("/operators/{name}/compliance")
def compliance_page(name: str, request: Request, rt: Rt) -> Response:
    """What probing saw of an operator's resolvers: compliance and over-blocking over
    time, the names they do not block, and the evidence behind every verdict."""
    user = session.require(request, rt)
    now = rt.clock.now()
    with rt.read() as conn:
        queries.operator(conn, name)
        if not user.reads_operator(name):
            raise Forbidden(f"a {user.role} login cannot read operator {name!r}")
        results = evidence.results(conn, now - SHOWN_PERIOD, [name])
    # The latest answer about each probed thing: a fresh name is asked below a subtree
    # target each round, and all of them are one thing (`arret.probes.measures.Probed`).
    latest: dict[Probed, Result] = {}
    for r in results:
        latest[Probed.of(r)] = r
    span = (results[-1].at - results[0].at) if results else timedelta(0)
    points = over_time(results, timedelta(minutes=1) if span < timedelta(hours=6)
                       else timedelta(hours=1))  # fmt: skip
    per_resolver: dict[str, Counter[str]] = {}
    for r in latest.values():
        per_resolver.setdefault(r.resolver, Counter())[r.verdict.value] += 1
    # Compliance and over-blocking of each resolver's latest verdicts with their 95 %
    # Wilson interval: a sampled round shows a share of the names only.
    shares: dict[str, tuple[Interval | None, Interval | None]] = {}
    for resolver in per_resolver:
        mine = [r for r in latest.values() if r.resolver == resolver and r.verdict in CONCLUSIVE]
        in_force = [r for r in mine if r.purpose is Purpose.IN_FORCE]
        ended = [r for r in mine if r.purpose is Purpose.ENDED]
        shares[resolver] = (
            wilson(sum(r.verdict is Kind.BLOCKED for r in in_force), len(in_force)),
            wilson(sum(r.verdict in BLOCKING for r in ended), len(ended)),
        )
    late = sorted(
        (r for r in latest.values()
         if r.purpose is Purpose.IN_FORCE and r.verdict in (Kind.NOT_BLOCKED, Kind.WRONG_ACTION)),
        key=lambda r: (r.since or now, r.name),
    )  # fmt: skip
    over = sorted(
        (r for r in latest.values() if r.purpose is Purpose.ENDED and r.verdict in BLOCKING),
        key=lambda r: r.name,
    )
    return render_page(
        request,
        rt,
        "compliance.html",
        user=user,
        operator=name,
        points=points,
        compliance_line=polyline(points, "compliance", 600, 150),
        over_line=polyline(points, "over_blocking", 600, 150),
        per_resolver=sorted(per_resolver.items()),
        shares=shares,
        late=late,
        over=over,
        evidence=sorted(latest.values(), key=lambda r: (r.resolver, r.name))[:SHOWN_EVIDENCE],
        total=len(latest),
    )
