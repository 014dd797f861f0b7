"""Whether Celery workers and beat are alive: each writes a heartbeat row, the web reads them.

A daemon thread, started when a worker is ready (`worker_ready`) or beat starts (`beat_init`),
rewrites the process's `WorkerHeartbeat` row every WORKER_HEARTBEAT_SECONDS; a worker deletes
its row when it stops cleanly (`worker_shutdown`), beat when its process exits. A row unseen for
WORKER_STALE_SECONDS is a process that died; rows unseen for a day are pruned. Only worker and
beat processes send these signals, and eager mode (the tests) starts no thread, so the web never
runs one. `liveness()` is what /readyz and /metrics report.
"""

from __future__ import annotations

import atexit
import datetime
import logging
import os
import socket
import threading
from typing import Any

from celery.signals import beat_init, worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

Role = WorkerHeartbeat.Role
PRUNE_AFTER = datetime.timedelta(days=1)

_running: dict[str, Heartbeat] = {}


class Heartbeat(threading.Thread):
    """Rewrites one process's row until stopped; a database outage is logged once, then retried."""

    def __init__(self, name: str, role: str) -> None:
        super().__init__(name=f"heartbeat {name}", daemon=True)
        self.process_name, self.role, self.pid = name, role, os.getpid()
        self.stopping = threading.Event()
        self.failing = False

    def run(self) -> None:
        while not self.stopping.is_set():
            self.beat()
            connection.close()  # this thread's own connection: never left open between beats
            self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS)

    def beat(self) -> bool:
        """Write the row once (and prune old ones); False, logged once per outage, if it fails."""
        now = timezone.now()
        row = WorkerHeartbeat(name=self.process_name, role=self.role, pid=self.pid, seen_at=now)
        try:
            WorkerHeartbeat.objects.bulk_create(
                [row], update_conflicts=True, unique_fields=["name"],
                update_fields=["role", "pid", "seen_at"],
            )  # fmt: skip
            WorkerHeartbeat.objects.filter(seen_at__lt=now - PRUNE_AFTER).delete()
        except Exception as error:  # the thread must outlive any outage
            if not self.failing:
                logger.warning("%s cannot write its heartbeat: %r", self.process_name, error)
            self.failing = True
            return False
        if self.failing:
            logger.info("%s writes its heartbeat again", self.process_name)
        self.failing = False
        return True

    def stop(self) -> None:
        """Stop beating and delete the row: the process is going away on purpose."""
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=settings.WORKER_HEARTBEAT_SECONDS)
        try:
            WorkerHeartbeat.objects.filter(name=self.process_name, pid=self.pid).delete()
        except Exception as error:  # the row then goes stale, which says the same
            logger.warning("%s cannot delete its heartbeat: %r", self.process_name, error)


def start(name: str, role: str) -> Heartbeat | None:
    """Start the process's heartbeat thread (none in eager mode: no worker is involved)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or name in _running:
        return None
    heartbeat = _running[name] = Heartbeat(name, role)
    heartbeat.start()
    return heartbeat


def stop(name: str) -> None:
    heartbeat = _running.pop(name, None)
    if heartbeat is not None:
        heartbeat.stop()


@worker_ready.connect
def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    start(sender.hostname, Role.WORKER)  # the consumer's node name, e.g. celery@host


@worker_shutdown.connect
def _worker_shutdown(sender: Any = None, **kwargs: Any) -> None:
    stop(sender.hostname)


@beat_init.connect
def _beat_init(sender: Any = None, **kwargs: Any) -> None:
    name = f"beat@{socket.gethostname()}"
    if start(name, Role.BEAT) is not None:
        atexit.register(stop, name)  # beat has no shutdown signal; it exits on SIGTERM


def liveness(now: datetime.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per role: how many processes wrote a heartbeat within WORKER_STALE_SECONDS (`alive`),
    and when the latest one was written (`last_seen`, None if no row is left)."""
    now = now or timezone.now()
    fresh = Q(seen_at__gte=now - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS))
    rows = WorkerHeartbeat.objects.values("role").annotate(
        alive=Count("pk", filter=fresh), last_seen=Max("seen_at")
    )
    result: dict[str, dict[str, Any]] = {r: {"alive": 0, "last_seen": None} for r in Role.values}
    for row in rows.order_by():
        result[row["role"]] = {"alive": row["alive"], "last_seen": row["last_seen"]}
    return result
