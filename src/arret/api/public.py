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

from arret import views
from arret.api.deps import Id, Rt
from arret.api.runtime import Runtime
from arret.services import notice
from arret.services.status import feed_status
from arret.store import registry as store
from arret.store.db import SCHEMA_HEAD, current_revision

router = APIRouter(tags=["public"])


@router.get("/api/public/orders", summary="The public register: every order")
def public_orders(rt: Rt) -> list[dict[str, Any]]:
    now = rt.clock.now()
    with rt.read() as conn:
        return public_listing(conn, now)


#: The register lists at most this many names of each order; an order's own page and
#: `/api/public/orders/{id}` list them all.
LISTED_NAMES = 20


def public_listing(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    counts = store.current_target_counts(conn)
    return [
        views.public_order(
            o,
            now,
            counts.get(o.id, 0),
            [] if o.terms.confidential else store.current_target_names(conn, o.id, LISTED_NAMES),
        )
        for o in store.list_orders(conn)
    ]


@router.get("/api/public/orders/{order_id}", summary="One order in the public register")
def public_order(order_id: Id, rt: Rt) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.read() as conn:
        order = store.load_order(conn, order_id)
        history = store.history(conn, order_id)
    reveal = not order.terms.confidential
    names = [t.name for t in order.current_targets()]
    return views.public_order(order, now, len(names), names) | {
        "timeline": [views.moment(m) for m in views.timeline(order, history, now, reveal)]
    }


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


@router.get("/api/notice", summary="Is this name blocked now, and by which order?")
def notice_lookup(
    rt: Rt, name: Annotated[str, Query(min_length=1, max_length=1000)]
) -> dict[str, Any]:
    with rt.read() as conn:
        return notice_view(notice.lookup(conn, name, rt.clock.now()))


@router.get("/healthz", summary="Liveness: the database answers at the expected schema")
def healthz(rt: Rt) -> JSONResponse:
    revision = current_revision(rt.engine)
    ok = revision == SCHEMA_HEAD
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if ok else f"schema {revision}, expected {SCHEMA_HEAD}",
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
            "arret_feed_serial", "Current serial of an operator's feed.", labels=["operator"]
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
        with self.rt.read() as conn:
            orders = store.list_orders(conn)
            in_force.add_metric([], sum(1 for o in orders if o.in_force_at(now)))
            for op in store.list_operators(conn):
                status = feed_status(conn, op.name)
                names.add_metric([op.name], status.names)
                if status.serial is not None:
                    serials.add_metric([op.name], status.serial)
        if self.rt.feed is not None:
            stats = self.rt.feed.stats
            for (operator, kind), count in sorted(stats.transfers.items()):
                transfers.add_metric([operator, kind], count)
            for operator, (_kind, at, _serial) in sorted(stats.last.items()):
                last.add_metric([operator], at.timestamp())
        return [in_force, names, serials, transfers, last]


def metrics_registry(rt: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ArretCollector(rt))
    return registry


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(rt: Rt) -> Response:
    registry = rt.metrics
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
