"""Fetching journal entries through their owner: anyone else's entry is a 404."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import MeditationSession


def get_own_session(
    request: HttpRequest, session_id: uuid.UUID, *, in_trash: bool = False
) -> MeditationSession:
    mine = MeditationSession.objects.filter(user=request.user).select_related("name")
    mine = mine.in_trash() if in_trash else mine.active()
    return get_object_or_404(mine, pk=session_id)
