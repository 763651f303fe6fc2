"""What anyone may read without a token: the public register, the notice lookup, health
and metrics (counts only, never names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from arret import views
from arret.api.schemas import (
    HealthOut,
    NoticeOut,
    PublicNamesOut,
    PublicOrderDetailOut,
    PublicOrderOut,
)
from arret.domain.model import Order
from arret.feed.server import FeedServer
from arret.http.deps import Id, Rt
from arret.http.runtime import Runtime
from arret.services import documents, notice, queries
from arret.services.database import schema
from arret.services.status import feed_status

router = APIRouter(tags=["public"])


@router.get(
    "/api/public/orders",
    summary="The public register: every order",
    response_model=list[PublicOrderOut],
)
def public_orders(rt: Rt) -> list[dict[str, Any]]:
    now = rt.clock.now()
    with rt.read() as conn:
        return public_listing(conn, now)


def public_listing(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    return [
        views.public_order(p.order, now, p.names, p.first_names)
        for p in queries.public_register(conn)
    ]


#: Names per page of `/api/public/orders/{id}` and `/api/public/orders/{id}/names`.
PUBLIC_PAGE = 1000


def names_view(order: Order, page: queries.Names, limit: int) -> dict[str, Any]:
    """A page of an order's current names (none for a confidential order), how many it has,
    and the URL of the next page."""
    following = f"/api/public/orders/{order.id}/names?after={page.next_after}&limit={limit}"
    return {
        "names": page.count,
        "targets": page.names,
        "targets_next": None if page.next_after is None else following,
    }


@router.get(
    "/api/public/orders/{order_id}",
    summary="One order in the public register",
    response_model=PublicOrderDetailOut,
)
def public_order(order_id: Id, rt: Rt) -> dict[str, Any]:
    """Its terms, the first page of its names (`targets_next` for the rest) and its
    timeline (at most 100 names per step; the counts are whole)."""
    now = rt.clock.now()
    with rt.read() as conn:
        found = queries.public_order(conn, order_id, 0, PUBLIC_PAGE)
        carried = documents.of_order(conn, order_id)
    order, reveal = found.order, not found.order.terms.confidential
    timeline = views.timeline(order, found.history, now, reveal, found.counts)
    return (
        views.public_order(order, now, found.names.count, found.names.names or [])
        | names_view(order, found.names, PUBLIC_PAGE)
        | {"timeline": [views.moment(m) for m in timeline]}
        | {"documents": [views.document(d, reveal) for d in carried]}
    )


@router.get(
    "/api/public/orders/{order_id}/names",
    summary="An order's names, a page at a time",
    response_model=PublicNamesOut,
)
def public_names(
    order_id: Id,
    rt: Rt,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Continue after this (from `targets_next`).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Names per page.")] = PUBLIC_PAGE,
) -> dict[str, Any]:
    with rt.read() as conn:
        order = queries.order_head(conn, order_id)
        page = queries.public_names(conn, order, after, limit)
    return {"id": order.id} | names_view(order, page, limit)


def notice_view(answer: notice.Answer) -> dict[str, Any]:
    return {
        "name": answer.name,
        "blocked": bool(answer.blocks),
        "allowed_by": answer.allowed_by,
        "orders": [
            {
                "id": b.order.id,
                "reference": b.order.terms.reference,
                "authority": b.order.terms.authority,
                "legal_basis": b.order.terms.legal_basis,
                "decided_on": b.order.terms.decided_on.isoformat(),
                "effective_at": views.when(b.order.effective_at),
                "ends_at": views.when(b.order.ends_at),
                "notice": b.order.terms.notice,
                "target": b.target.name,
                "scope": b.target.scope.value,
                "action": b.action.value,
            }
            for b in answer.blocks
        ],
    }


@router.get(
    "/api/notice", summary="Is this name blocked now, and by which order?", response_model=NoticeOut
)
def notice_lookup(
    rt: Rt, name: Annotated[str, Query(min_length=1, max_length=1000)]
) -> dict[str, Any]:
    with rt.read() as conn:
        return notice_view(notice.lookup(conn, name, rt.clock.now()))


@router.get(
    "/healthz",
    summary="Liveness: the database answers at the expected schema",
    response_model=HealthOut,
    responses={
        503: {
            "model": HealthOut,
            "description": "Degraded: the database is not at the expected schema (or, in "
            "the error shape, cannot be read at all)",
        }
    },
)
def healthz(rt: Rt) -> JSONResponse:
    revision, expected = schema(rt.engine)
    ok = revision == expected
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if ok else f"schema {revision}, expected {expected}",
        "feed": "running" if rt.feed is not None else "not in this process",
        "time": views.when(rt.clock.now()),
    }
    return JSONResponse(body, 200 if ok else 503)


class ArretCollector(Collector):
    """Read at each scrape: from the database, and from the feed server's counters."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> list[Metric]:
        now = self.rt.clock.now()
        in_force = GaugeMetricFamily("arret_orders_in_force", "Orders in force now.")
        names = GaugeMetricFamily(
            "arret_feed_names", "Names an operator's feed blocks now.", labels=["operator"]
        )
        serials = GaugeMetricFamily(
            "arret_feed_serial",
            "The newest serial of an operator's feed in the database (what this instance "
            "serves: arret_feed_served_serial).",
            labels=["operator"],
        )
        transfers = CounterMetricFamily(
            "arret_feed_transfers",
            "Zone transfers served since start.",
            labels=["operator", "kind"],
        )
        last = GaugeMetricFamily(
            "arret_feed_last_transfer_timestamp_seconds",
            "When an operator last transferred its feed (Unix time).",
            labels=["operator"],
        )
        up = GaugeMetricFamily(
            "arret_database_up", "1 when the database could be read for this scrape."
        )
        try:
            with self.rt.read() as conn:
                orders = queries.orders(conn)
                in_force.add_metric([], sum(1 for o in orders if o.in_force_at(now)))
                for op in queries.operators(conn):
                    status = feed_status(conn, op.name)
                    names.add_metric([op.name], status.names)
                    if status.serial is not None:
                        serials.add_metric([op.name], status.serial)
            up.add_metric([], 1)
        except DBAPIError:
            # The metrics that need the database are left out; the rest (publication
            # health above all) is what an operator needs to see now.
            up.add_metric([], 0)
        found: list[Metric] = [up, in_force, names, serials, transfers, last]
        if self.rt.feed is not None:
            stats = self.rt.feed.stats
            for (operator, kind), count in sorted(stats.transfers.items()):
                transfers.add_metric([operator, kind], count)
            for operator, (_kind, at, _serial) in sorted(stats.last.items()):
                last.add_metric([operator], at.timestamp())
            found += _serving(self.rt.feed)
        return [*found, _refused_owners(self.rt.feed)]


def _serving(feed: FeedServer) -> list[Metric]:
    """The feed server's own state: publication health, connection limits."""
    health, stats = feed.health, feed.transport.stats

    def gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
        metric = GaugeMetricFamily(name, text)
        metric.add_metric([], value)
        return metric

    def counter(name: str, text: str, value: float) -> CounterMetricFamily:
        metric = CounterMetricFamily(name, text)
        metric.add_metric([], value)
        return metric

    found: list[Metric] = [
        gauge("arret_publication_failing", "1 while publication fails and is retried.",
              1 if health.failing_since is not None else 0),
        gauge("arret_publication_pending_instants",
              "Effective, expiry and other instants due and not yet published.",
              health.pending),
        counter("arret_publication_failures", "Failed publication attempts since start.",
                health.failures_total),
        gauge("arret_checkpoint_failing", "1 while copying SQLite's write-ahead log into the "
              "database fails and is retried.", 1 if health.checkpoint_failing else 0),
        counter("arret_checkpoint_failures", "Failed copies of SQLite's write-ahead log since "
                "start.", health.checkpoint_failures_total),
        gauge("arret_tcp_connections", "DNS TCP connections open now.", feed.tcp_connections),
        counter("arret_tcp_rejected", "DNS TCP connections closed at once (over the limits).",
                stats.tcp_rejected),
        counter("arret_tcp_timeouts", "DNS TCP connections closed for a read or write timeout.",
                stats.tcp_timeouts),
        counter("arret_udp_dropped", "DNS UDP queries dropped (too many waiting).",
                stats.udp_dropped),
        counter("arret_dns_servfail", "DNS queries answered SERVFAIL (database unreadable).",
                feed.stats.servfail),
    ]  # fmt: skip
    found.append(gauge("arret_publisher",
                       "1 while this instance publishes, NOTIFYs and probes; 0 while it "
                       "follows another (several instances on one PostgreSQL).",
                       1 if feed.role.publishing else 0))  # fmt: skip
    lag = GaugeMetricFamily(
        "arret_feed_lag_seconds",
        "Seconds since the newest serial of an operator was published while this instance "
        "still serves an older one; 0 when it serves the newest.",
        labels=["operator"],
    )
    served = GaugeMetricFamily(
        "arret_feed_served_serial",
        "The serial of an operator's feed this instance serves now (arret_feed_serial is "
        "the newest in the database, the same on every instance).",
        labels=["operator"],
    )
    now = feed.clock.now()
    for view in feed.feed.zones():
        lag.add_metric([view.operator], feed.role.lag(view.operator, view.serial, now))
        served.add_metric([view.operator], view.serial)
    found += [lag, served]
    if health.last_success is not None:
        found.append(gauge("arret_publication_last_success_timestamp_seconds",
                           "When publication last completed (Unix time).",
                           health.last_success.timestamp()))  # fmt: skip
    return found + _resolvers(feed)


def _resolvers(feed: FeedServer) -> list[Metric]:
    """Per operator and resolver address: the serial it was last seen holding (from the
    transfers and IXFR queries it made), and the NOTIFYs that keep telling it."""
    labels = ["operator", "resolver"]
    serial = GaugeMetricFamily(
        "arret_resolver_serial",
        "The serial a resolver was last seen holding (transferred, or stated in its IXFR).",
        labels=labels,
    )
    seen = GaugeMetricFamily(
        "arret_resolver_last_transfer_timestamp_seconds",
        "When a resolver last transferred its feed or showed its serial (Unix time).",
        labels=labels,
    )
    lag = GaugeMetricFamily(
        "arret_resolver_serial_lag",
        "The zone's serial minus the one the resolver holds (serials are Unix seconds: "
        "about how many seconds of publication it lacks); 0 when current.",
        labels=labels,
    )
    pending = GaugeMetricFamily(
        "arret_notify_pending",
        "NOTIFYs being re-sent to a resolver until it fetches the serial (1 or 0).",
        labels=labels,
    )
    for state in feed.resolvers():
        key = [state.operator, state.address]
        if state.held is not None:
            serial.add_metric(key, state.held.serial)
            seen.add_metric(key, state.held.at.timestamp())
        if state.lag is not None:
            lag.add_metric(key, state.lag)
        pending.add_metric(key, 1 if state.pending is not None else 0)
    counts = feed.notifier.counts
    found: list[Metric] = [serial, seen, lag, pending]
    for name, text, values in (
        ("arret_notify_sent", "Announcements of a new serial (first NOTIFY each).",
         counts.sent),
        ("arret_notify_resent", "NOTIFYs sent again: unanswered, or answered and not "
         "followed by a transfer.", counts.resent),
        ("arret_notify_delivered", "Announcements confirmed by the resolver's transfer.",
         counts.delivered),
        ("arret_notify_given_up", "Announcements given up: the resolver did not fetch the "
         "serial within the bound (logged as a warning).", counts.given_up),
        ("arret_notify_refused", "NOTIFYs answered with an error rcode.", counts.refused),
    ):  # fmt: skip
        metric = CounterMetricFamily(name, text, labels=["operator"])
        for operator, value in sorted(values.items()):
            metric.add_metric([operator], value)
        found.append(metric)
    return found


def _refused_owners(feed: FeedServer | None) -> Metric:
    """Owners the renderer left out of transfers: each is a row no check let in (an
    alarm, also logged at ERROR)."""
    refused = CounterMetricFamily(
        "arret_feed_refused_owners",
        "Owners left out of transfers since start: not a servable QNAME trigger.",
        labels=["zone"],
    )
    counts = feed.feed.refusals.by_zone if feed is not None else {}
    for zone, count in sorted(counts.items()):
        refused.add_metric([zone], count)
    return refused


def metrics_registry(rt: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ArretCollector(rt))
    return registry


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(rt: Rt) -> Response:
    registry = rt.metrics
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
