"""The life of a background job (an export or an import): queued, running, done or failed,
and expired when its file goes.

Views, tasks and the admin all go through these functions; what differs between the kinds of
job (their task, their messages, what happens to their file) is declared on each model.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit

from . import private_files
from .audit import Action
from .models import UNFINISHED, ExportJob, ImportJob, Job, JobStatus

logger = logging.getLogger(__name__)

KINDS: tuple[type[Job], ...] = (ExportJob, ImportJob)
# A run completed these: nothing may fail them or start them again.
COMPLETED = (JobStatus.DONE, JobStatus.EXPIRED)


def enqueue(request: HttpRequest | None, job: Job) -> bool:
    """Send the job's task once the row is committed; False if the broker is down.

    A worker could otherwise take the task before the row exists (or while it still holds an
    old status). If the broker cannot be reached the job fails at once, with its kind's
    message, which the person (if there is a request) sees once. Inside a transaction the
    send waits for the commit, and until then the job counts as queued.
    """
    sent: list[bool] = []
    transaction.on_commit(lambda: sent.append(_send(request, job)))
    return sent[0] if sent else True


def _send(request: HttpRequest | None, job: Job) -> bool:
    try:
        current_app.tasks[job.task_name].delay(str(job.pk))
    except Exception as error:
        # kombu's OperationalError, redis-py's errors, the result backend's RuntimeError:
        # whatever a broker outage raises, the job is failed (so it can be retried and never
        # counts as unfinished) and the person told.
        logger.warning("job %s could not be queued: %s", job.pk, type(error).__name__)
        fail(job, job.unavailable_error)
        if request is not None:
            messages.error(request, job.unavailable_error)
        return False
    return True


def requeue(request: HttpRequest, job: ExportJob) -> bool:
    """Put a failed export back in the queue (audited); False if it was not failed (a second
    click) or the broker is down.

    Only exports are retried: a failed import's upload is gone, so the person uploads again.
    """
    requeued = ExportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, progress=0, error="", created_at=timezone.now(), finished_at=None
    )
    if not requeued:
        return False
    audit.record(request, Action.EXPORT_RETRIED, job)
    return enqueue(request, job)


def start(job: Job, **fields: Any) -> bool:
    """Mark the job running (a fresh run: no progress, no error); False if it was completed."""
    started = (
        type(job)
        ._default_manager.filter(pk=job.pk)
        .exclude(status__in=COMPLETED)
        .update(status=JobStatus.RUNNING, started_at=timezone.now(), progress=0, error="", **fields)
    )
    return bool(started)


def report_progress(job: Job, percent: int) -> None:
    type(job)._default_manager.filter(pk=job.pk).update(progress=percent)


def done(job: Job, **result: Any) -> None:
    """Mark the job done, with its result fields (rows, file, counts; `finished_at` if the
    result is timed from it)."""
    fields = {"progress": 100, "error": "", "finished_at": timezone.now(), **result}
    type(job)._default_manager.filter(pk=job.pk).update(status=JobStatus.DONE, **fields)


def fail(job: Job, error: str, *, where: Q | None = None) -> bool:
    """Mark the job failed with `error`, unless another run already completed it (or the row
    no longer meets `where`, checked in the same UPDATE).

    A kind that discards its file on failure (an import's upload) loses it here.
    """
    model = type(job)
    changes: dict[str, Any] = {"status": JobStatus.FAILED, "error": error}
    discarded = ""
    if model.discards_file_on_failure:
        discarded, changes["file"] = _file_of(job), ""
    unsettled = model._default_manager.filter(where or Q(), pk=job.pk).exclude(status__in=COMPLETED)
    failed = unsettled.update(finished_at=timezone.now(), **changes)
    if failed:
        private_files.delete(discarded)
    return bool(failed)


def expire(job: Job) -> bool:
    """Delete a finished job's file; the job stays, marked expired. False if it is unfinished."""
    file = _file_of(job)
    expired = (
        type(job)
        ._default_manager.filter(pk=job.pk)
        .exclude(status__in=UNFINISHED)
        .update(status=JobStatus.EXPIRED, file="")
    )
    if expired:
        private_files.delete(file)
    return bool(expired)


def _file_of(job: Job) -> str:
    # From the row, not the instance: another run may have changed it since it was read.
    return type(job)._default_manager.filter(pk=job.pk).values_list("file", flat=True).first() or ""


def export_limit_reached(owner: Any) -> str | None:
    """Why `owner` may not have another export now, or None if they may.

    At most EXPORT_MAX_UNFINISHED exports are queued or running for one person at a time,
    however they were asked for: the form, a retry, or staff in the admin.
    """
    unfinished = ExportJob.objects.filter(owner=owner, status__in=UNFINISHED).count()
    if unfinished < settings.EXPORT_MAX_UNFINISHED:
        return None
    exports = "export" if unfinished == 1 else "exports"
    return (
        f"You already have {unfinished} {exports} in progress. Please wait for one to finish "
        "before asking for another."
    )


def stuck_window() -> datetime.timedelta:
    """How long a job may stay queued or running before it counts as stuck.

    Running past the hard time limit plus the broker's redelivery window means the worker
    died and the task was lost; queued for longer than that means no worker ever took it.
    """
    return datetime.timedelta(
        seconds=settings.EXPORT_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT
    )


@shared_task(name="meditation.fail_stuck_jobs")
def fail_stuck_jobs() -> int:
    """Jobs of every kind that can no longer finish are marked failed (exports can be retried)."""
    cutoff = timezone.now() - stuck_window()
    running = Q(status=JobStatus.RUNNING, started_at__lt=cutoff)
    queued = Q(status=JobStatus.QUEUED, created_at__lt=cutoff)
    stuck = 0
    for model in KINDS:
        for condition, error in (
            (running, model.interrupted_error),
            (queued, model.never_started_error),
        ):
            # Still stuck when it is failed: a redelivered task may have just restarted it.
            for job in model._default_manager.filter(condition).only("pk"):
                stuck += fail(job, error, where=condition)
    return stuck
