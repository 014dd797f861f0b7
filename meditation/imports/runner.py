"""Running one import to its end: the valid rows inserted in one transaction (all or none),
the report kept, the upload deleted. Small files run during the request, larger ones on the
worker (`tasks.run_import`); both call `import_job`, which is safe to run twice. An encrypted
log, decrypted in memory, is never stored: `import_decrypted` runs it during the request. The
job's states change through `meditation.jobs`."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from itertools import batched

from django.db import transaction

from .. import jobs, private_files
from ..models import ImportJob, JobStatus, MeditationSession, Source
from .encrypted_log import DecryptedLog
from .rows import (
    CHUNK,
    VALIDATED_PROGRESS,
    CsvProblem,
    Outcome,
    validate_file,
    validate_records,
)

logger = logging.getLogger(__name__)

# The report keeps this many skipped/rejected rows; the counts are always complete.
REPORT_MAX = 1000
GENERIC_ERROR = (
    "Something went wrong while importing this log, and nothing was imported. "
    "Please try again; if it keeps failing, tell us."
)
MISSING_FILE_ERROR = "The uploaded file is no longer available. Please upload the log again."


def _existing_ids(owner_id: int, session_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in batched(session_ids, CHUNK):
        found.update(
            MeditationSession.objects.filter(user_id=owner_id, legacy_id__in=chunk).values_list(
                "legacy_id", flat=True
            )
        )
    return found


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
                    reflection=v.reflection,
                    planned_seconds=v.seconds,
                    actual_seconds=v.seconds,
                    dhikr_count=v.dhikr_count,
                    started_at=v.at,
                    ended_at=v.at + datetime.timedelta(seconds=v.seconds),
                    source=Source.IMPORT,
                    legacy_id=v.session_id,
                    legacy_user=v.user,
                )
            )
        MeditationSession.objects.bulk_create(entries)
        imported += len(entries)
    return imported


def _finish(job: ImportJob, outcome: Outcome) -> bool:
    """Insert everything and mark the job done, in one transaction: all of it or none."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == JobStatus.DONE:
            return False  # another run of this job got here first
        imported = _insert(locked, outcome)
        report = [
            {"row": row, "outcome": kind, "reason": reason}
            for row, kind, reason in sorted(outcome.report)[:REPORT_MAX]
        ]
        jobs.done(
            locked,
            imported=imported,
            skipped=outcome.skipped,
            rejected=outcome.rejected,
            report=report,
            file="",  # deleted once this commits
        )
    return True


def import_job(job_id: uuid.UUID | str) -> ImportJob | None:
    """Run one import to its end (done or failed). Safe to run again: it never doubles entries."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in jobs.COMPLETED:
        return job
    upload = job.file
    if not private_files.exists(upload):
        jobs.fail(job, MISSING_FILE_ERROR)
        return ImportJob.objects.get(pk=job.pk)
    return _run(job, validate_file, upload)


def import_decrypted(job: ImportJob, log: DecryptedLog) -> ImportJob:
    """Import a log decrypted in memory during the request: it has no stored upload."""
    return _run(job, lambda job: validate_records(job, log.index, log.records), upload="")


def _run(job: ImportJob, validate: Callable[[ImportJob], Outcome], upload: str) -> ImportJob:
    if not jobs.start(job):
        return ImportJob.objects.get(pk=job.pk)  # another run completed it since it was read
    try:
        outcome = validate(job)
        jobs.report_progress(job, VALIDATED_PROGRESS)
        _finish(job, outcome)
    except CsvProblem as problem:
        jobs.fail(job, f"{problem} Nothing was imported.")
    except Exception:
        # Logged without the row's values (the exception names none of the log's text).
        logger.exception("import %s failed", job.pk)
        jobs.fail(job, GENERIC_ERROR)
    else:
        private_files.delete(upload)
    return ImportJob.objects.get(pk=job.pk)
