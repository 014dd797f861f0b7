"""Fetching a person's objects through their owner: anyone else's is a 404, never a 403.

One helper per object kind; every view that takes an id from a URL uses one of these.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import ExportJob, ImportJob, MeditationSession


def get_own_entry(
    request: HttpRequest, entry_id: uuid.UUID, *, in_trash: bool = False
) -> MeditationSession:
    """The signed-in person's journal entry (active, or in the trash when asked)."""
    user = request.user
    if not user.is_authenticated:  # a visitor owns no entry (and a missing login_required 404s)
        raise Http404
    mine = MeditationSession.objects.filter(user=user).select_related("name")
    mine = mine.in_trash() if in_trash else mine.active()
    return get_object_or_404(mine, pk=entry_id)


def get_own_export(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, owner=request.user)


def get_own_import(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    return get_object_or_404(ImportJob, pk=job_id, owner=request.user)
