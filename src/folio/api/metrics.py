"""Prometheus metrics at /metrics: traffic, the operation queue, upload sessions.

Request counters and histograms are this node's own, so a dashboard sums them over
nodes. The queue and session gauges are read from the database at each scrape and
are the same on every node: take their max over nodes, not their sum.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import space
from folio.domain.entries import OperationKind, OperationStatus

__all__ = ["Metrics", "routes"]

_DURATIONS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class Metrics:
    """The metrics of one application, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "folio_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "folio_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer.",
            ["route", "method"],
            buckets=_DURATIONS,
            registry=self.registry,
        )
        self.bytes_in = Counter(
            "folio_http_received_bytes",
            "Request body bytes received, by route template.",
            ["route"],
            registry=self.registry,
        )
        self.bytes_out = Counter(
            "folio_http_sent_bytes",
            "Response body bytes sent, by route template.",
            ["route"],
            registry=self.registry,
        )
        self.operations = Gauge(
            "folio_operations",
            "File operations waiting or running, across every node.",
            ["state"],
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "folio_operation_duration_seconds",
            "How long the file operations this node ran took, by kind and outcome.",
            ["kind", "status"],
            buckets=_DURATIONS,
            registry=self.registry,
        )
        self.upload_sessions = Gauge(
            "folio_upload_sessions_open",
            "Chunked upload sessions still open, across every node.",
            registry=self.registry,
        )

    def observe_request(
        self,
        route: str,
        method: str,
        status: int,
        seconds: float,
        received: int,
        sent: int,
    ) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route, method).observe(seconds)
        if received:
            self.bytes_in.labels(route).inc(received)
        if sent:
            self.bytes_out.labels(route).inc(sent)

    def observe_operation(
        self, kind: OperationKind, status: OperationStatus, seconds: float
    ) -> None:
        self.operation_seconds.labels(kind.name.lower(), status.name.lower()).observe(
            seconds
        )


async def metrics(request: Request) -> Response:
    found: Metrics = request.app.state.metrics
    backlog = await space(request).monitoring.backlog()
    found.operations.labels("waiting").set(backlog.operations_waiting)
    found.operations.labels("running").set(backlog.operations_running)
    found.upload_sessions.set(backlog.upload_sessions_open)
    return Response(generate_latest(found.registry), media_type=CONTENT_TYPE_LATEST)


routes = [Route("/metrics", metrics, methods=["GET"])]
