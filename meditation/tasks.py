"""Periodic work for the journal."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.audit import Action

from . import exports, private_files
from .models import ExportJob, ImportJob, JobStatus, MeditationSession


@shared_task(name="meditation.purge_trash")
def purge_trash() -> int:
    """Delete for good the entries that have been in the trash longer than the retention."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.TRASH_RETENTION_DAYS)
    expired = MeditationSession.objects.in_trash().filter(deleted_at__lt=cutoff)
    deleted, _ = expired.delete()
    if deleted:
        audit.record(None, Action.ENTRY_PURGED, count=deleted)
    return deleted


# --- Exports ------------------------------------------------------------------------------
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
    relative = exports.storage_path(job)
    _update(job.pk, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0, error="",
            attempts=F("attempts") + 1)  # fmt: skip
    try:
        private_files.remove_stale_temps(relative)
        with private_files.atomic_write(relative) as out:
            rows = exports.build(job, out, lambda percent: _update(job.pk, progress=percent))
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


@shared_task(name="meditation.fail_stuck_jobs")
def fail_stuck_jobs() -> int:
    """Jobs that can no longer finish are marked failed (and can then be retried).

    Running past the hard time limit plus the broker's redelivery window means the worker
    died and the task was lost; queued for longer than that means no worker ever took it.
    """
    now = timezone.now()
    window = datetime.timedelta(
        seconds=settings.EXPORT_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT
    )
    stuck = 0
    for model in (ExportJob, ImportJob):
        running = model.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - window)
        queued = model.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - window)
        for jobs, error in (
            (running, "The job was interrupted. You can try again."),
            (queued, "The job never started. You can try again."),
        ):
            if model is ImportJob:
                # An import cannot be resumed: its upload goes, and the person uploads again.
                for upload in jobs.exclude(file="").values_list("file", flat=True):
                    private_files.delete(upload)
                error = "The import was interrupted and nothing was imported. Upload the log again."
                stuck += jobs.update(status=JobStatus.FAILED, error=error, finished_at=now, file="")
            else:
                stuck += jobs.update(status=JobStatus.FAILED, error=error, finished_at=now)
    return stuck


from .imports import run_import  # noqa: E402,F401  (registers the task)
