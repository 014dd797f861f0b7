"""Liveness and readiness for load balancers and orchestrators.

/healthz answers while the process can serve a request, touching nothing else. /readyz checks
what a request needs: the database, the cache, the broker and an applied schema. It answers
503 with the failing parts named when any of them is not ready. It also says whether workers
and beat are alive ("workers"), which never changes its status: the web serves without them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import workers

BROKER_TIMEOUT = 2  # seconds (kombu takes whole seconds)

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    from aysekai_site.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations are not applied")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready"; say which part
            results[name] = f"fail: {type(error).__name__}"
        else:
            results[name] = "ok"
    failing = sorted(name for name, result in results.items() if result != "ok")
    body: dict[str, Any] = {"status": "fail" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    body["workers"] = worker_liveness() if results["database"] == "ok" else "unknown"
    return JsonResponse(body, status=503 if failing else 200)


def worker_liveness() -> dict[str, dict[str, Any]] | str:
    """{"worker": {"alive": n, "last_seen": time or None}, "beat": {...}}, or "unknown"."""
    try:
        return workers.liveness()
    except Exception as error:  # e.g. the table is not migrated yet: the checks say so
        logger.warning("worker liveness unknown: %r", error)
        return "unknown"
