"""Building export files on the worker, and deleting them when they expire."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .. import jobs, private_files
from ..models import ExportJob, JobStatus
from . import writers

# A killed worker's export runs again: the stuck sweep queues it again once its heartbeat is
# stale (and acks late + reject on worker lost redeliver it, the broker's visibility timeout
# being longer than the hard time limit); each run rebuilds the same file path from scratch
# through a temporary, so a retry never leaves two files or half a file.

logger = logging.getLogger(__name__)


@shared_task(
    name=ExportJob.task_name,  # "meditation.build_export"
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def build_export(job_id: str) -> str:
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.finished:
        return job.status if job else "missing"  # already settled: a duplicate delivery
    relative = writers.storage_path(job)
    if not jobs.start(job, attempts=F("attempts") + 1):
        return "settled"  # another run completed it since it was read, or is running it
    try:
        private_files.remove_stale_temps(relative)
        with private_files.atomic_write(relative) as out:
            rows = writers.build(job, out, jobs.Progress(job))
        now = timezone.now()
        retention = datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS)
        jobs.done(
            job, rows=rows, file=relative, size=out.size, sha256=out.digest.hexdigest(),
            finished_at=now, expires_at=now + retention,
        )  # fmt: skip
        return JobStatus.DONE
    except SoftTimeLimitExceeded:
        jobs.fail(job, "The export took too long and was stopped. Try a shorter date range.")
    except Exception:
        # The traceback goes to the logs; journal text never does (it is not in the message).
        logger.exception("export %s failed", job.pk)
        jobs.fail(job, "The export could not be built. You can try again.")
    return JobStatus.FAILED


@shared_task(name="meditation.expire_exports")
def expire_exports() -> int:
    """Delete export files past their expiry; the job stays, marked expired."""
    expired = ExportJob.objects.filter(status=JobStatus.DONE, expires_at__lt=timezone.now())
    return sum(jobs.expire(job) for job in expired.only("pk"))
