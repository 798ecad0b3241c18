"""Prometheus metrics at ``/metrics``: requests, latencies, timeouts, the answer cache, cut answers.

Under gunicorn several worker processes answer requests, each with its own counters. When
``PROMETHEUS_MULTIPROC_DIR`` is set (``haironto serve`` sets it, to a folder it empties at
start), prometheus_client keeps every process's values in files there and ``/metrics`` adds
them up, whichever worker answers the scrape. Without it (tests, one process) the values live
in this process. prometheus_client reads the variable when it is first imported, which is in
the worker process, after ``haironto serve`` has set it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from .multiprocess import MULTIPROCESS_ENV

EXTENSION = "haironto.metrics"
#: Latency buckets in seconds: from a cached answer (about a millisecond) to the longest timeout.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class Metrics:
    """The service's metrics, registered in one app's registry."""

    registry: CollectorRegistry
    """Where they are registered (what ``/metrics`` shows in a single process)."""
    requests: Counter
    """Requests answered, by route, method and status."""
    latency: Histogram
    """Seconds from request to response, by route."""
    timeouts: Counter
    """Queries stopped at their time limit."""
    cache_hits: Counter
    """Answers served from the answer cache."""
    cache_misses: Counter
    """Queries run because the answer cache did not hold their answer."""
    truncated: Counter
    """Answers cut at the row cap."""

    @classmethod
    def create(cls) -> Metrics:
        """Create the metrics in a registry of their own, so that several apps may live in one process."""
        registry = CollectorRegistry(auto_describe=True)
        return cls(
            registry=registry,
            requests=Counter(
                "haironto_http_requests",
                "HTTP requests answered, by route, method and status.",
                ["route", "method", "status"],
                registry=registry,
            ),
            latency=Histogram(
                "haironto_http_request_duration_seconds",
                "Seconds from receiving a request to returning its response, by route.",
                ["route"],
                buckets=BUCKETS,
                registry=registry,
            ),
            timeouts=Counter(
                "haironto_query_timeouts", "Queries stopped at their time limit.", registry=registry
            ),
            cache_hits=Counter(
                "haironto_query_cache_hits", "Answers served from the answer cache.", registry=registry
            ),
            cache_misses=Counter(
                "haironto_query_cache_misses",
                "Queries run because the answer cache did not hold their answer.",
                registry=registry,
            ),
            truncated=Counter("haironto_answers_truncated", "Answers cut at the row cap.", registry=registry),
        )


def get_metrics() -> Metrics:
    """The current app's :class:`Metrics`."""
    return current_app.extensions[EXTENSION]


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record(response: Response) -> Response:
    metrics = get_metrics()
    # The rule, not the path: one series per route, whatever the clients ask for.
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.requests.labels(route, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.latency.labels(route).observe(time.perf_counter() - started)
    return response


@bp.route("/metrics")
def exposition() -> Response:
    """The metrics in Prometheus' text format, added up over every worker process."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = get_metrics().registry
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    """Count every request of the app; serve ``/metrics`` unless ``METRICS`` is false."""
    app.extensions[EXTENSION] = Metrics.create()
    app.before_request(_start_timer)
    app.after_request(_record)
    if app.config["METRICS"]:
        app.register_blueprint(bp)
