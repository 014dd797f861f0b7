"""Finding a person's entries: the list's filters, and search in the encrypted text."""

from __future__ import annotations

import uuid
import zoneinfo

from django.db.models import QuerySet

from accounts.requests import AuthenticatedRequest

from ..models import MeditationSession
from ..text import fold, search_terms
from .forms import JournalFilterForm


def filtered_entries(
    request: AuthenticatedRequest, form: JournalFilterForm
) -> QuerySet[MeditationSession]:
    """The user's active entries matching the form's filters (all but the text search)."""
    entries = MeditationSession.objects.filter(user=request.user).active()
    if not form.is_valid():
        return entries.none()
    data = form.cleaned_data
    tz = zoneinfo.ZoneInfo(request.user.time_zone)
    if data["name"]:
        entries = entries.filter(name__number=data["name"])
    if data["mood"]:
        entries = entries.filter(mood=data["mood"])
    return entries.in_local_dates(data["from"], data["to"], tz)


def search_text(entries: QuerySet[MeditationSession], query: str) -> list[uuid.UUID]:
    """Ids of entries whose intention or reflection contains every word of the query.

    The text is encrypted, so the database cannot search it: the user's own entries (and only
    theirs: `entries` is already filtered by owner) are decrypted here, in one query.
    """
    terms = search_terms(query)
    if not terms:  # only punctuation or marks: nothing to look for
        return []
    rows = entries.order_by("-started_at").values_list("id", "intention", "reflection")
    return [
        pk
        for pk, intention, reflection in rows
        if all(term in fold(f"{intention}\n{reflection}") for term in terms)
    ]
