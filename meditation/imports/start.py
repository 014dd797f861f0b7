"""Starting an import of a valid upload, the one way for the web form and the API: stored and
queued when large, imported during the request when small or encrypted (its key is never
kept for a worker), and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from accounts import audit

from .. import jobs, private_files
from ..audit import Action
from ..models import ImportJob, JobStatus
from . import runner
from .forms import ImportForm

if TYPE_CHECKING:
    from accounts.models import User


def _new_job(owner: User, upload: UploadedFile) -> ImportJob:
    """The (unsaved) job of an upload."""
    return ImportJob(owner=owner, original_name=(upload.name or "")[:255], size=upload.size or 0)


def _store(owner: User, upload: UploadedFile) -> ImportJob:
    """Keep the upload privately, then create its job: never a job without its file."""
    job = _new_job(owner, upload)
    job.file = f"imports/{job.pk}.csv"
    with private_files.atomic_write(job.file) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        job.save()
    except BaseException:
        private_files.delete(job.file)
        raise
    return job


def _import(request: HttpRequest | None, owner: User, form: ImportForm) -> tuple[ImportJob, bool]:
    """Import a valid form's log; True if it went to the worker."""
    upload = form.cleaned_data["file"]
    if form.decrypted is not None:
        # Never stored, so always during the request: the key is not kept for a worker.
        job = _new_job(owner, upload)
        job.save()
        runner.import_decrypted(job, form.decrypted)
        return job, False
    job = _store(owner, upload)
    if job.size > settings.IMPORT_INLINE_MAX_BYTES:
        jobs.enqueue(request, job)
        return job, True
    runner.import_job(job.pk)
    return job, False


def start_import(request: HttpRequest, owner: User, form: ImportForm, *, via: str) -> ImportJob:
    """Import `form`'s upload for `owner` and audit it (`via`: "web" or "api"). The job as it
    stands after: done, or queued for the worker."""
    # A web request hears of a broker outage in a message; an API client in the job's status.
    job, in_background = _import(request if via == "web" else None, owner, form)
    job.refresh_from_db()
    finished = job.status == JobStatus.DONE
    audit.record(
        request,
        Action.IMPORT_REQUESTED,
        job,
        actor=owner,
        via=via,
        size=job.size,
        background=in_background,
        encrypted=form.decrypted is not None,
        status=job.status,
        rows=job.imported + job.skipped + job.rejected if finished else None,
        imported=job.imported if finished else None,
    )
    return job
