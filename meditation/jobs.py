"""The life of a background job (an export or an import): queued, running, done or failed.

Views, tasks and the admin all go through these functions.
"""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts import audit

from . import private_files
from .audit import Action
from .models import UNFINISHED, ExportJob, ImportJob, JobStatus

UNAVAILABLE = (
    "Exports are temporarily unavailable: the background worker cannot be reached. "
    "Nothing was queued; please try again in a few minutes."
)


def enqueue(request: HttpRequest, job: ExportJob) -> bool:
    """Queue the job's task; if the broker is down, fail the job at once and say so."""
    from .exports.tasks import build_export

    try:
        build_export.delay(str(job.pk))  # the row is committed (autocommit): safe to queue
    except OperationalError:
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=UNAVAILABLE, finished_at=timezone.now()
        )
        messages.error(request, UNAVAILABLE)
        return False
    return True


def requeue(request: HttpRequest, job: ExportJob) -> bool:
    """Put a failed job back in the queue (audited); False if the broker is down."""
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, progress=0, error="", created_at=timezone.now(), finished_at=None
    )
    audit.record(request, Action.EXPORT_RETRIED, job)
    return enqueue(request, job)


def unfinished_exports(owner: Any) -> int:
    return ExportJob.objects.filter(owner=owner, status__in=UNFINISHED).count()


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
