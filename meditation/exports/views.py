"""/exports/: ask for a file of your data, watch it being built, download it."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import audit
from accounts.requests import AuthenticatedRequest
from aysekai_site.platform.htmx import render_page_or_fragment

from .. import jobs, private_files
from ..audit import Action
from ..crypto import CHUNK, SealedFileError
from ..models import ExportJob, JobStatus
from ..ownership import get_own_export
from . import writers
from .forms import ExportForm

PAGE_SIZE = 20

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ExportForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        job = form.save(commit=False)
        job.owner = request.user
        job.save()
        audit.record(request, Action.EXPORT_REQUESTED, job, format=job.format)
        if jobs.enqueue(request, job):
            messages.success(request, gettext("Your export is being prepared. It appears below."))
        return redirect("meditation:exports")
    mine = ExportJob.objects.filter(owner=request.user)
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "jobs": list(page.object_list),
        "polling": any(not job.finished for job in page.object_list),
        "retention_days": settings.EXPORT_RETENTION_DAYS,
        "max_unfinished": settings.EXPORT_MAX_UNFINISHED,
    }
    return render_page_or_fragment(request, "meditation/exports.html", "jobs", context)


@login_required
@require_safe
def export_download(request: AuthenticatedRequest, job_id: uuid.UUID) -> HttpResponseBase:
    job = get_own_export(request, job_id)
    if job.status == JobStatus.EXPIRED:
        return render(request, "meditation/export_expired.html", {"job": job}, status=410)
    if job.status != JobStatus.DONE or not job.file:
        return _not_ready(request)
    try:
        # Checked in full before the first byte goes out: a bad file is a page, not half a file.
        plaintext = private_files.open_verified(job.file, size=job.size, sha256=job.sha256)
    except FileNotFoundError:  # expired by the worker a moment ago
        return _not_ready(request)
    except SealedFileError as problem:
        logger.error("export %s cannot be read: %s", job.pk, problem)
        return render(request, "meditation/export_unreadable.html", {"job": job}, status=410)
    audit.record(request, Action.EXPORT_DOWNLOADED, job, size=job.size)
    # Decrypted a chunk at a time as it is sent; the Cache-Control is the site's private one.
    response = FileResponse(plaintext, as_attachment=True, filename=writers.file_name(job))
    response.block_size = CHUNK
    response["Content-Length"] = str(job.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _not_ready(request: AuthenticatedRequest) -> HttpResponse:
    messages.info(request, gettext("That export is not ready to download."))
    return redirect("meditation:exports")


@login_required
@require_POST
def export_retry(request: AuthenticatedRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_own_export(request, job_id)
    if job.status != JobStatus.FAILED:
        messages.info(request, gettext("Only a failed export can be tried again."))
        return redirect("meditation:exports")
    refusal = jobs.export_limit_reached(request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("meditation:exports")
    if jobs.requeue(request, job):
        messages.success(request, gettext("The export is being prepared again."))
    return redirect("meditation:exports")
