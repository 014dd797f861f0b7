"""Building export files on the worker, and deleting them when they expire."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .. import private_files
from ..models import ExportJob, JobStatus
from . import writers

# A killed worker's export runs again (acks late + reject on worker lost, with the broker's
# visibility timeout longer than the hard time limit); each run rebuilds the same file path
# from scratch through a temporary, so a retry never leaves two files or half a file.

logger = logging.getLogger(__name__)


def _update(job_id: Any, **fields: Any) -> None:
    ExportJob.objects.filter(pk=job_id).update(**fields)


@shared_task(
    name="meditation.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def build_export(job_id: str) -> str:
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.EXPIRED, JobStatus.FAILED):
        return job.status if job else "missing"  # already settled: a duplicate delivery
    relative = writers.storage_path(job)
    _update(job.pk, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0, error="",
            attempts=F("attempts") + 1)  # fmt: skip
    try:
        private_files.remove_stale_temps(relative)
        with private_files.atomic_write(relative) as out:
            rows = writers.build(job, out, lambda percent: _update(job.pk, progress=percent))
        now = timezone.now()
        _update(
            job.pk, status=JobStatus.DONE, progress=100, rows=rows, file=relative, size=out.size,
            sha256=out.digest.hexdigest(), finished_at=now,
            expires_at=now + datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS),
        )  # fmt: skip
        return JobStatus.DONE
    except SoftTimeLimitExceeded:
        _fail(job.pk, "The export took too long and was stopped. Try a shorter date range.")
    except Exception:
        # The traceback goes to the logs; journal text never does (it is not in the message).
        logger.exception("export %s failed", job.pk)
        _fail(job.pk, "The export could not be built. You can try again.")
    return JobStatus.FAILED


def _fail(job_id: Any, message: str) -> None:
    _update(job_id, status=JobStatus.FAILED, error=message, finished_at=timezone.now())


@shared_task(name="meditation.expire_exports")
def expire_exports() -> int:
    """Delete export files past their expiry; the job stays, marked expired."""
    expired = ExportJob.objects.filter(status=JobStatus.DONE, expires_at__lt=timezone.now())
    count = 0
    for job in expired.only("pk", "file"):
        expire(job)
        count += 1
    return count


def expire(job: ExportJob) -> None:
    """Delete the job's file; the job stays, marked expired."""
    private_files.delete(job.file)
    _update(job.pk, status=JobStatus.EXPIRED, file="")
