"""Prometheus metrics at /metrics, for a token or an allowed address only.

Per-process metrics (requests, latency, database queries) use prometheus_client, in its
multiprocess mode under gunicorn (PROMETHEUS_MULTIPROC_DIR). Celery task outcomes, counted in
the workers, are read from the shared cache (Redis in production); workers' and beat's
liveness from their heartbeat rows (aysekai_site.workers). Everything else comes from
the collectors that apps register with aysekai_site.platform.metrics (failed sign-ins, export
jobs by status): this module knows no app.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from . import workers
from .platform import metrics as app_metrics
from .platform.ip import client_ip

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "aysekai_http_requests_total", "HTTP requests served.", ["view", "method", "status"]
)
LATENCY = Histogram(
    "aysekai_http_request_duration_seconds",
    "Time to serve a request.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Counter("aysekai_db_queries_total", "Database queries run.", ["view"])

TASK_OUTCOMES = ("success", "failure", "retry")


def task_key(task: str, outcome: str) -> str:
    return f"celery:{task}:{outcome}"


class TaskOutcomes(Collector):
    """Celery task outcomes, counted in the shared cache by aysekai_site.task_metrics."""

    def collect(self) -> Iterator[Any]:
        from aysekai_site.celery import app

        tasks = sorted(name for name in app.tasks if not name.startswith("celery."))
        keys = {task_key(t, o): (t, o) for t in tasks for o in TASK_OUTCOMES}
        values = app_metrics.read_shared(keys)
        if values is None:  # the cache is down: no samples rather than false zeros
            return
        outcomes = CounterMetricFamily(
            "aysekai_celery_tasks", "Celery task outcomes.", labels=["task", "outcome"]
        )
        for key, (task, outcome) in keys.items():
            outcomes.add_metric([task, outcome], values[key])
        yield outcomes


class WorkerLiveness(Collector):
    """Workers and beat alive, and the age of their latest heartbeat (none if no row is left).

    With the database down the samples are left out (and a warning logged): the rest of the
    scrape still answers."""

    def collect(self) -> Iterator[Any]:
        now = timezone.now()
        try:
            liveness = workers.liveness(now)
        except Exception as error:
            logger.warning("worker liveness not collected: %r", error)
            return
        alive = GaugeMetricFamily(
            "aysekai_workers_alive", "Processes with a fresh heartbeat, by role.", labels=["role"]
        )
        age = GaugeMetricFamily(
            "aysekai_worker_heartbeat_age_seconds",
            "Seconds since the latest heartbeat of the role.",
            labels=["role"],
        )
        for role, seen in liveness.items():
            alive.add_metric([role], seen["alive"])
            if seen["last_seen"] is not None:
                age.add_metric([role], (now - seen["last_seen"]).total_seconds())
        yield alive
        yield age


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(_Forward(collected))
    scrape.register(TaskOutcomes())
    scrape.register(WorkerLiveness())
    for collector in app_metrics.registered():
        scrape.register(collector)
    return scrape


class _Forward(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and secrets.compare_digest(header, f"Bearer {token}"):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS
    )


def _only_for_scrapers(view: Callable[[HttpRequest], HttpResponse]) -> Any:
    # Outermost, before the method check: to anyone else every method is a 404, so that
    # nobody learns the endpoint exists.
    def guarded(request: HttpRequest) -> HttpResponse:
        if not _allowed(request):
            raise Http404
        return view(request)

    return guarded


@_only_for_scrapers
@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts requests, their latency and their database queries, by view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unresolved"
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        if queries:
            DB_QUERIES.labels(view).inc(queries)
        return response
