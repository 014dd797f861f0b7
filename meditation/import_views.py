"""Uploading the command-line tool's session log, and the report of each import."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_safe
from kombu.exceptions import OperationalError

from accounts import audit
from accounts.audit import Action

from . import imports, private_files
from .imports import run_import
from .models import ImportJob, JobStatus

RECENT_JOBS = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Session log (CSV)",
        help_text="The session log the command-line tool wrote, unencrypted.",
        allow_empty_file=True,  # refused in clean_file, with a clearer message
        error_messages={"required": "Choose the session log file to upload."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.log,.txt,text/csv,text/plain"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        self.fields["file"].help_text += f" At most {limit}."

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.IMPORT_MAX_BYTES)
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {limit}. "
                "Split the log into smaller files, each with the header line.",
                code="too_big",
            )
        if not upload.size:
            raise ValidationError("The file is empty.", code="empty")
        imports.inspect_upload(upload.chunks())
        return upload


def get_own_import(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    return get_object_or_404(ImportJob, owner=request.user, pk=job_id)


def _store(request: HttpRequest, upload: UploadedFile) -> ImportJob:
    """Keep the upload privately, then create its job: never a job without its file."""
    job = ImportJob(owner=request.user, original_name=upload.name[:255], size=upload.size)
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


@login_required
@require_http_methods(["GET", "POST"])
def import_log(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = _store(request, form.cleaned_data["file"])
            in_background = job.size > settings.IMPORT_INLINE_MAX_BYTES
            if not in_background:
                imports.import_job(job.pk)
            else:
                try:
                    run_import.delay(str(job.pk))
                except OperationalError:
                    imports.fail(job.pk, imports.BROKER_ERROR)
                    messages.error(request, imports.BROKER_ERROR)
            job.refresh_from_db()
            finished = job.status == JobStatus.DONE
            audit.record(
                request,
                Action.IMPORT_REQUESTED,
                job,
                size=job.size,
                background=in_background,
                status=job.status,
                rows=job.imported + job.skipped + job.rejected if finished else None,
                imported=job.imported if finished else None,
            )
            return redirect("meditation:import_report", job.pk)
    else:
        form = ImportForm()
    jobs = ImportJob.objects.filter(owner=request.user).order_by("-created_at")[:RECENT_JOBS]
    context = {
        "form": form,
        "jobs": jobs,
        "columns": ",".join(imports.COLUMNS),
        "max_size": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "meditation/import.html", context)


@login_required
@require_safe
def import_report(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_own_import(request, job_id)
    template = "meditation/import_report.html"
    context = {"job": job, "report_max": imports.REPORT_MAX}
    if job.status == JobStatus.DONE:
        context["shown"] = len(job.report)
        context["listed"] = job.skipped + job.rejected
    return render(request, f"{template}#status" if request.htmx else template, context)
