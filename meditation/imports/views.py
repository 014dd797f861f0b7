"""Uploading the command-line tool's session log, and the report of each import."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts import audit
from accounts.requests import AuthenticatedRequest
from aysekai_site.platform.htmx import render_page_or_fragment

from .. import jobs, private_files
from ..audit import Action
from ..models import ImportJob, JobStatus
from ..ownership import get_own_import
from . import runner
from .encrypted_log import KEY_NOT_NEEDED
from .forms import ImportForm
from .upload import COLUMNS

RECENT_JOBS = 20


def _new_job(request: AuthenticatedRequest, upload: UploadedFile) -> ImportJob:
    """The (unsaved) job of an upload."""
    return ImportJob(
        owner=request.user, original_name=(upload.name or "")[:255], size=upload.size or 0
    )


def _store(request: AuthenticatedRequest, upload: UploadedFile) -> ImportJob:
    """Keep the upload privately, then create its job: never a job without its file."""
    job = _new_job(request, upload)
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


def _import(request: AuthenticatedRequest, form: ImportForm) -> tuple[ImportJob, bool]:
    """Import a valid form's log; True if it went to the worker."""
    upload = form.cleaned_data["file"]
    if form.decrypted is not None:
        # Never stored, so always during the request: the key is not kept for a worker.
        job = _new_job(request, upload)
        job.save()
        runner.import_decrypted(job, form.decrypted)
        return job, False
    job = _store(request, upload)
    if job.size > settings.IMPORT_INLINE_MAX_BYTES:
        jobs.enqueue(request, job)
        return job, True
    runner.import_job(job.pk)
    return job, False


@login_required
@require_http_methods(["GET", "POST"])
def import_log(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job, in_background = _import(request, form)
            if form.key_ignored:
                messages.info(request, KEY_NOT_NEEDED)
            job.refresh_from_db()
            finished = job.status == JobStatus.DONE
            audit.record(
                request,
                Action.IMPORT_REQUESTED,
                job,
                size=job.size,
                background=in_background,
                encrypted=form.decrypted is not None,
                status=job.status,
                rows=job.imported + job.skipped + job.rejected if finished else None,
                imported=job.imported if finished else None,
            )
            return redirect("meditation:import_report", job.pk)
    else:
        form = ImportForm()
    recent = ImportJob.objects.filter(owner=request.user).order_by("-created_at")[:RECENT_JOBS]
    context = {
        "form": form,
        "jobs": recent,
        "columns": ",".join(COLUMNS),
        "max_size": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "meditation/import.html", context)


@login_required
@require_safe
def import_report(request: AuthenticatedRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_own_import(request, job_id)
    template = "meditation/import_report.html"
    context = {"job": job, "report_max": runner.REPORT_MAX}
    if job.status == JobStatus.DONE:
        context["shown"] = len(job.report)
        context["listed"] = job.skipped + job.rejected
    return render_page_or_fragment(request, template, "status", context)
