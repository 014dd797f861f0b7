"""The life of a background job (an export or an import): queued, running, done or failed,
and expired when its file goes.

Views, tasks and the admin all go through these functions; what differs between the kinds of
job (their task, their messages, what happens to their file) is declared on each model.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

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
    failed = Q(status=JobStatus.FAILED)
    if not _queue_again(job, failed, error="", created_at=timezone.now(), finished_at=None):
        return False
    audit.record(request, Action.EXPORT_RETRIED, job)
    return enqueue(request, job)


def _queue_again(job: ExportJob, where: Q, **changes: Any) -> bool:
    """Put the export back in the queue if its row still meets `where` (in the same UPDATE)."""
    changes = {"status": JobStatus.QUEUED, "progress": 0, "heartbeat_at": None, **changes}
    return bool(ExportJob.objects.filter(where, pk=job.pk).update(**changes))


def start(job: Job, **fields: Any) -> bool:
    """Mark the job running (a fresh run: no progress, no error); False if it was completed,
    or if another run holds it: running with a fresh heartbeat (a duplicate delivery).

    A running job whose heartbeat went stale lost its worker: this run takes it over.
    """
    now = timezone.now()
    free = ~Q(status=JobStatus.RUNNING) | Job.lost_worker_condition(now)
    started = (
        type(job)
        ._default_manager.filter(free, pk=job.pk)
        .exclude(status__in=COMPLETED)
        .update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0, error="",
            **fields,
        )
    )  # fmt: skip
    return bool(started)


def report_progress(job: Job, percent: int) -> None:
    """Write the percentage, and the heartbeat: the run is alive."""
    type(job)._default_manager.filter(pk=job.pk).update(
        progress=percent, heartbeat_at=timezone.now()
    )


# A running job's progress is written at most this often (seconds), its heartbeat aside: one
# UPDATE per percent cost a 10,000-row export on Postgres more than all its reads.
PROGRESS_INTERVAL = 0.5


class Progress:
    """`report(percent)` for a running job's loop to call as often as it likes (every row).

    It writes (`report_progress`) only when the percentage changed and PROGRESS_INTERVAL has
    passed since the last write, or when the last write is JOB_HEARTBEAT_SECONDS old: a fast
    job writes a few times, a slow one about once per percent, and both show they are alive.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.interval = settings.JOB_HEARTBEAT_SECONDS
        # `start` has just written progress 0 and the heartbeat.
        self.percent, self.written_at = 0, time.monotonic()

    def __call__(self, percent: int) -> None:
        now = time.monotonic()
        since = now - self.written_at
        if since < self.interval and (percent == self.percent or since < PROGRESS_INTERVAL):
            return
        report_progress(self.job, percent)
        self.percent, self.written_at = percent, now


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
    return ngettext(
        "You already have %(count)s export in progress. Please wait for one to finish "
        "before asking for another.",
        "You already have %(count)s exports in progress. Please wait for one to finish "
        "before asking for another.",
        unfinished,
    ) % {"count": unfinished}


def stuck_window() -> datetime.timedelta:
    """How long a job may stay queued before it counts as never started.

    Longer than the hard time limit plus the broker's redelivery window: by then no worker
    took it, nor will.
    """
    return datetime.timedelta(
        seconds=settings.EXPORT_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT
    )


# Every minute from beat: its counts are in the worker's "succeeded" log line, not kept.
@shared_task(name="meditation.fail_stuck_jobs", ignore_result=True)
def fail_stuck_jobs() -> dict[str, int]:
    """Settle the jobs that can no longer finish; returns how many were requeued and failed.

    A running job whose heartbeat is JOB_STALE_SECONDS old lost its worker: an export goes back
    in the queue (failed once it had EXPORT_MAX_ATTEMPTS runs), an import fails (its upload
    goes). A job queued past `stuck_window()` never started, and fails. Each UPDATE re-checks
    its condition: a redelivered task may have restarted the job, or another sweep settled it.
    """
    now = timezone.now()
    lost = Job.lost_worker_condition(now)
    never_started = Q(status=JobStatus.QUEUED, created_at__lt=now - stuck_window())
    counts = {"requeued": 0, "failed": 0}
    for model in KINDS:
        for job in model._default_manager.filter(lost):
            outcome = _settle_lost(job, lost)
            if outcome:
                counts[outcome] += 1
        for job in model._default_manager.filter(never_started).only("pk"):
            counts["failed"] += fail(job, model.never_started_error, where=never_started)
    return counts


def _settle_lost(job: Job, lost: Q) -> str:
    """Requeue or fail a job whose worker died: "requeued", "failed", or "" if it moved on."""
    # Logged by id only: nothing of the job's content.
    kind, limit = type(job).__name__, settings.EXPORT_MAX_ATTEMPTS
    if isinstance(job, ExportJob) and job.attempts < limit:
        if not _queue_again(job, lost & Q(attempts__lt=limit)):
            return ""
        logger.warning(
            "%s %s lost its worker after %d run(s): queued again", kind, job.pk, job.attempts
        )
        return "requeued" if enqueue(None, job) else "failed"
    if not fail(job, job.interrupted_error, where=lost):
        return ""
    logger.warning("%s %s lost its worker: failed", kind, job.pk)
    return "failed"
