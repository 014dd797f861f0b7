"""Running one import to its end: the valid rows inserted in one transaction (all or none),
the report kept, the upload deleted. Small files run during the request, larger ones on the
worker (`tasks.run_import`); both call `import_job`, which is safe to run twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from itertools import batched

from django.db import transaction
from django.utils import timezone

from .. import private_files
from ..models import ImportJob, JobStatus, MeditationSession, Source
from .rows import CHUNK, VALIDATED_PROGRESS, CsvProblem, Outcome, validate_file

logger = logging.getLogger(__name__)

# The report keeps this many skipped/rejected rows; the counts are always complete.
REPORT_MAX = 1000
GENERIC_ERROR = (
    "Something went wrong while importing this log, and nothing was imported. "
    "Please try again; if it keeps failing, tell us."
)
MISSING_FILE_ERROR = "The uploaded file is no longer available. Please upload the log again."
BROKER_ERROR = (
    "Imports of large files are temporarily unavailable. Nothing was imported; "
    "please try again later."
)


def _existing_ids(owner_id: int, session_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in batched(session_ids, CHUNK):
        found.update(
            MeditationSession.objects.filter(user_id=owner_id, legacy_id__in=chunk).values_list(
                "legacy_id", flat=True
            )
        )
    return found


def fail(job_id: uuid.UUID | str, error: str) -> None:
    """Mark the job failed (unless another run finished it) and delete its upload."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    ImportJob.objects.filter(pk=job.pk).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now(), file=""
    )
    private_files.delete(job.file)


def _insert(job: ImportJob, outcome: Outcome) -> int:
    """Create the valid rows' entries, re-checking ids a concurrent run may have imported."""
    imported = 0
    for chunk in batched(outcome.valid, CHUNK):
        taken = _existing_ids(job.owner_id, (v.session_id for v in chunk))
        entries = []
        for v in chunk:
            if v.session_id in taken:
                outcome.skipped += 1
                outcome.report.append((v.row, "skipped", "already imported"))
                continue
            entries.append(
                MeditationSession(
                    user_id=job.owner_id,
                    name_id=v.name_id,
                    intention=v.prompt,
                    planned_seconds=0,
                    actual_seconds=0,
                    started_at=v.at,
                    ended_at=v.at,
                    source=Source.IMPORT,
                    legacy_id=v.session_id,
                    legacy_user=v.user,
                )
            )
        MeditationSession.objects.bulk_create(entries)
        imported += len(entries)
    return imported


def _finish(job_id: uuid.UUID | str, outcome: Outcome) -> bool:
    """Insert everything and mark the job done, in one transaction: all of it or none."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            return False  # another run of this job got here first
        job.imported = _insert(job, outcome)
        job.skipped, job.rejected = outcome.skipped, outcome.rejected
        job.report = [
            {"row": row, "outcome": kind, "reason": reason}
            for row, kind, reason in sorted(outcome.report)[:REPORT_MAX]
        ]
        job.status, job.progress, job.error = JobStatus.DONE, 100, ""
        job.finished_at = timezone.now()
        job.file = ""
        job.save()
    return True


def import_job(job_id: uuid.UUID | str) -> ImportJob | None:
    """Run one import to its end (done or failed). Safe to run again: it never doubles entries."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.EXPIRED):
        return job
    upload = job.file
    if not upload or not private_files.path_of(upload).exists():
        fail(job.pk, MISSING_FILE_ERROR)
        return ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=0, error="", started_at=timezone.now()
    )
    try:
        outcome = validate_file(job)
        ImportJob.objects.filter(pk=job.pk).update(progress=VALIDATED_PROGRESS)
        _finish(job.pk, outcome)
    except CsvProblem as problem:
        fail(job.pk, f"{problem} Nothing was imported.")
    except Exception:
        # Logged without the row's values (the exception names none of the log's text).
        logger.exception("import %s failed", job.pk)
        fail(job.pk, GENERIC_ERROR)
    else:
        private_files.delete(upload)
    return ImportJob.objects.get(pk=job.pk)
