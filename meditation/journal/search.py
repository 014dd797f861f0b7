"""Finding a person's entries: the list's filters, and search in the encrypted text."""

from __future__ import annotations

import zoneinfo

from django.db.models import QuerySet

from accounts.requests import AuthenticatedRequest

from .. import search_index
from ..models import JournalToken, MeditationSession
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


def search_text(
    entries: QuerySet[MeditationSession], query: str, user_id: int
) -> QuerySet[MeditationSession]:
    """The entries whose intention or reflection may contain every word of the query.

    The text is encrypted, so the database searches the blind index instead (one query, its
    subqueries on the owner's tokens only); `confirm` then checks the entries shown. A term
    longer than the index's units is checked here, on the candidates only.
    """
    terms = search_terms(query)
    if not terms:  # only punctuation or marks: nothing to look for
        return entries.none()
    found = entries
    for term in terms:
        tokens = search_index.term_tokens(user_id, term)
        owned = JournalToken.objects.filter(user_id=user_id, token__in=tokens)
        found = found.filter(pk__in=owned.values("entry_id"))
    if search_index.exact(terms):
        return found
    rows = found.values_list("id", "intention", "reflection")
    return entries.filter(pk__in=[pk for pk, *text in rows if _contains(terms, *text)])


def confirm(entries: list[MeditationSession], query: str) -> list[MeditationSession]:
    """The entries (decrypted) that do contain every word: the search's rule, which the
    index only narrows down (an entry indexed before a change of the rule is left out)."""
    terms = search_terms(query)
    return [e for e in entries if _contains(terms, e.intention, e.reflection)]


def _contains(terms: list[str], intention: str, reflection: str) -> bool:
    text = fold(f"{intention}\n{reflection}")
    return all(term in text for term in terms)
