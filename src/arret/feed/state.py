"""What the HTTP side reads of the feed server, and tells it: an operator's transfers and
resolvers, the feed's metrics, and "look at the database now" after a write.

`arret serve` answers HTTP in a worker process (`arret.http.worker`), replaced once idle
after a burst of requests so that the memory the burst took is given back whole
(`arret.workers`); the feed server lives in the main process, and the worker asks it
through `arret.workers`'s channel. Everything that crosses is a plain value (the
`OperatorFeed` of one operator, Prometheus metric families): `LocalFeed` builds them from
the feed server itself, for the main process and for tests that run the application
beside a feed server in one process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from arret.errors import ArretError
from arret.feed.notify import ResolverState

if TYPE_CHECKING:
    from arret.feed.server import FeedServer


class FeedUnavailable(ArretError):
    """The feed server did not answer (its process is stopping, or too busy to answer in
    time)."""


@dataclass(frozen=True)
class OperatorFeed:
    """What the feed server saw of one operator's feed since it started."""

    #: (kind, instant, serial) of its latest transfer.
    last: tuple[str, datetime, int] | None = None
    #: Transfers served, by kind (axfr, ixfr, ixfr-axfr, ixfr-current).
    transfers: dict[str, int] = field(default_factory=dict)
    #: Each of its resolvers: the serial held, the NOTIFY in flight or given up.
    resolvers: list[ResolverState] = field(default_factory=list)


class FeedState(Protocol):
    """The feed server as the HTTP side sees it."""

    def wake(self) -> None:
        """Publish what was just committed now, not at the next look at the database
        (never fails: the next look publishes it anyway)."""

    def operator(self, name: str) -> OperatorFeed:
        """What the feed saw of operator `name` (empty when it cannot be asked)."""

    def metrics(self) -> list[Metric]:
        """The feed's metric families (raises FeedUnavailable when it cannot be asked)."""


class LocalFeed:
    """The feed server of this very process."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server

    def wake(self) -> None:
        self.server.wake()

    def operator(self, name: str) -> OperatorFeed:
        stats = self.server.stats
        return OperatorFeed(
            last=stats.last.get(name),
            transfers={k: n for (op, k), n in stats.transfers.items() if op == name},
            resolvers=self.server.resolvers(name),
        )

    def metrics(self) -> list[Metric]:
        return feed_metrics(self.server)


def feed_metrics(feed: FeedServer | None) -> list[Metric]:
    """Every metric family the feed server's state makes (with `None`, the ones always
    exposed, empty: a process without a feed server)."""
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
    if feed is None:
        return [transfers, last, _refused_owners(None)]
    for (operator, kind), count in sorted(feed.stats.transfers.items()):
        transfers.add_metric([operator, kind], count)
    for operator, (_kind, at, _serial) in sorted(feed.stats.last.items()):
        last.add_metric([operator], at.timestamp())
    return [transfers, last, *_serving(feed), _refused_owners(feed)]


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
