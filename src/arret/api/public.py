"""What anyone may read without a token: the public register, the notice lookup, health
and metrics (counts only, never names)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
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
from arret.feed.state import FeedUnavailable, feed_metrics
from arret.http.deps import Id, Rt
from arret.http.runtime import Runtime
from arret.services import documents, notice, queries
from arret.services.database import schema
from arret.services.status import feed_status

router = APIRouter(tags=["public"])
log = logging.getLogger("arret.http")


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
    """Read at each scrape: from the database, and from the feed server (`arret.feed.state`)."""

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
        found: list[Metric] = [up, in_force, names, serials]
        if self.rt.feed is None:
            return [*found, *feed_metrics(None)]
        try:
            return [*found, *self.rt.feed.metrics()]
        except FeedUnavailable as exc:  # this scrape shows the database's side only
            log.warning("the feed's metrics are left out of this scrape: %s", exc)
            return found


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
