"""The site's own table: the heartbeats of Celery workers and beat (aysekai_site.workers)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One worker or beat process, as last seen: a row it rewrites every few seconds.

    In the database rather than the cache because the default set-up has no cache that the
    web and the workers share (each process has its own memory cache).
    """

    class Role(models.TextChoices):
        WORKER = "worker", "Worker"
        BEAT = "beat", "Beat"

    # The worker's node name (celery@host), or beat@host.
    name = models.CharField(max_length=255, unique=True)
    role = models.CharField(max_length=8, choices=Role.choices)
    pid = models.PositiveIntegerField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
