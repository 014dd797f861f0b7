"""/exports/: ask for a file of your data, watch it being built, download it."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from kombu.exceptions import OperationalError

from accounts import audit
from accounts.audit import Action

from . import exports, private_files
from .models import UNFINISHED, ExportJob, JobStatus

PAGE_SIZE = 20
UNAVAILABLE = (
    "Exports are temporarily unavailable: the background worker cannot be reached. "
    "Nothing was queued; please try again in a few minutes."
)


class ExportForm(forms.ModelForm):
    class Meta:
        model = ExportJob
        fields = ("format", "date_from", "date_to")
        labels = {"date_from": "From (optional)", "date_to": "To (optional)"}
        widgets = {
            "format": forms.RadioSelect,
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"date_to": "Leave both dates empty for everything."}

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        unfinished = unfinished_count(self.owner)
        if unfinished >= settings.EXPORT_MAX_UNFINISHED:
            raise forms.ValidationError(
                f"You already have {unfinished} exports in progress. Please wait for one to "
                "finish before asking for another."
            )
        return cleaned


def get_own_export(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, owner=request.user)


def enqueue(request: HttpRequest, job: ExportJob) -> bool:
    """Queue the job's task; if the broker is down, fail the job at once and say so."""
    from .tasks import build_export

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


def unfinished_count(owner) -> int:
    return ExportJob.objects.filter(owner=owner, status__in=UNFINISHED).count()


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        job = form.save(commit=False)
        job.owner = request.user
        job.save()
        audit.record(request, Action.EXPORT_REQUESTED, job, format=job.format)
        if enqueue(request, job):
            messages.success(request, "Your export is being prepared. It appears below.")
        return redirect("meditation:exports")
    jobs = ExportJob.objects.filter(owner=request.user)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "jobs": list(page.object_list),
        "polling": any(not job.finished for job in page.object_list),
        "retention_days": settings.EXPORT_RETENTION_DAYS,
        "max_unfinished": settings.EXPORT_MAX_UNFINISHED,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "meditation/exports.html#jobs" if partial else "meditation/exports.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET"])
def export_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_own_export(request, job_id)
    if job.status == JobStatus.EXPIRED:
        return render(request, "meditation/export_expired.html", {"job": job}, status=410)
    path = private_files.path_of(job.file) if job.file else None
    if job.status != JobStatus.DONE or path is None or not path.exists():
        messages.info(request, "That export is not ready to download.")
        return redirect("meditation:exports")
    audit.record(request, Action.EXPORT_DOWNLOADED, job, size=job.size)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=exports.file_name(job))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def export_retry(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_own_export(request, job_id)
    if job.status != JobStatus.FAILED:
        messages.info(request, "Only a failed export can be tried again.")
        return redirect("meditation:exports")
    if unfinished_count(request.user) >= settings.EXPORT_MAX_UNFINISHED:
        messages.error(request, "Please wait for an export in progress to finish first.")
        return redirect("meditation:exports")
    if requeue(request, job):
        messages.success(request, "The export is being prepared again.")
    return redirect("meditation:exports")
