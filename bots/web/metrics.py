"""Prometheus instruments for one app, and the middleware that feeds them.

With several worker processes (`ttc serve --workers N`) the supervisor sets PROMETHEUS_MULTIPROC_DIR before the
workers start: prometheus_client then keeps every value in a file there, and a scrape, whichever worker answers
it, adds up the requests of all of them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE", "Metrics", "MetricsMiddleware"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Request counts and latencies by route template, and the number of records; one registry per app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("ttc_http_requests", "HTTP requests by route template and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("ttc_http_request_duration_seconds", "Time to the end of the response body.",
                                 ["method", "route"], buckets=_BUCKETS, registry=self.registry)
        # gauges read from the shared catalog: every worker sees the same value, the latest is right
        self.records = Gauge("ttc_records", "Records in the catalog.", registry=self.registry,
                             multiprocess_mode="mostrecent")
        self.pending = Gauge("ttc_pending_vectors", "Records whose dense vector is not computed yet (backfill).",
                             registry=self.registry, multiprocess_mode="mostrecent")
        self.translated = Counter("ttc_translated_texts", "Record texts machine-translated for readers, by where "
                                  "the translation came from (translator or cache).", ["source"],
                                  registry=self.registry)
        self.translation_failures = Counter("ttc_translation_failures", "Calls to the translator that failed "
                                            "(the originals were shown), by reason.", ["reason"],
                                            registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def translation(self, event: str, reason: str, count: int) -> None:
        """Listener of the translation service: texts translated or found cached, and failed calls."""
        if event == "failed":
            self.translation_failures.labels(reason).inc()
        else:
            self.translated.labels("translator" if event == "translated" else "cache").inc(count)

    def render(self, records: int, pending: int = 0) -> bytes:
        """The Prometheus text exposition, with the records and pending-vectors gauges brought up to date."""
        self.records.set(records)
        self.pending.set(pending)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            every_worker = CollectorRegistry()
            MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
            return generate_latest(every_worker)
        return generate_latest(self.registry)


def _route_of(scope: Scope) -> str:
    # The template, never the raw path: raw paths (ids, probes of unknown URLs) would explode the label set.
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class MetricsMiddleware:
    """ASGI middleware: times every HTTP request to its last body byte and counts it by status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.observe(scope["method"], _route_of(scope), status, time.perf_counter() - start)
