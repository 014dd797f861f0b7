"""Uploading the command-line tool's session log, and the report of each import."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.requests import AuthenticatedRequest
from aysekai_site.platform.htmx import render_page_or_fragment

from ..models import ImportJob, JobStatus
from ..ownership import get_own_import
from . import runner, start
from .encrypted_log import KEY_NOT_NEEDED
from .forms import ImportForm
from .upload import COLUMNS

RECENT_JOBS = 20


@login_required
@require_http_methods(["GET", "POST"])
def import_log(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = start.start_import(request, request.user, form, via="web")
            if form.key_ignored:
                messages.info(request, KEY_NOT_NEEDED)
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
