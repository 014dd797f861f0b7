"""Finding a person's entries: the list's filters, and search in the encrypted text."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.requests import AuthenticatedRequest

from .. import search_index
from ..models import JournalToken, MeditationSession
from ..text import fold, search_terms
from .forms import JournalFilterForm

# Candidates up to this many are read as ids, so the page and its count look them up by key;
# more go as a subquery (binding a long list of ids costs more than the join: at 10,000 entries
# on Postgres, 1,250 ids made a search 45 ms, the subquery 20 ms).
LIST_MAX = 200


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

    The text is encrypted, so the database searches the blind index instead (`_candidates`,
    on the owner's tokens only); `confirm` then checks the entries shown. A term longer than
    the index's units is checked here, on the candidates only.
    """
    terms = list(dict.fromkeys(search_terms(query)))
    if not terms:  # only punctuation or marks: nothing to look for
        return entries.none()
    found = entries.filter(pk__in=_candidates(user_id, terms))
    if search_index.exact(terms):
        return found
    rows = found.values_list("id", "intention", "reflection")
    return entries.filter(pk__in=[pk for pk, *text in rows if _contains(terms, *text)])


def _candidates(user_id: int, terms: list[str]) -> Any:
    """The owner's entries having every term's token: ids when the rarest term is rare (the
    usual search), else a subquery. Each term's count is read first, from the index alone, so
    that a term nobody wrote costs one query and the rarest term drives the rest."""
    tokens = {term: search_index.term_tokens(user_id, term) for term in terms}
    mine = JournalToken.objects.filter(user_id=user_id)
    counts = dict(
        mine.filter(token__in=[t for ts in tokens.values() for t in ts])
        .values("token")
        .annotate(n=Count("pk"))
        .values_list("token", "n")
    )
    frequency = {term: sum(counts.get(t, 0) for t in tokens[term]) for term in terms}
    rarest, *others = sorted(terms, key=frequency.__getitem__)
    if not frequency[rarest]:
        return []
    found = mine.filter(token__in=tokens[rarest])
    for term in others:
        found = found.filter(
            Exists(mine.filter(token__in=tokens[term], entry_id=OuterRef("entry_id")))
        )
    ids = found.values("entry_id")
    return list(ids.values_list("entry_id", flat=True)) if frequency[rarest] <= LIST_MAX else ids


def confirm(entries: list[MeditationSession], query: str) -> list[MeditationSession]:
    """The entries (decrypted) that do contain every word: the search's rule, which the
    index only narrows down (an entry indexed before a change of the rule is left out)."""
    terms = search_terms(query)
    return [e for e in entries if _contains(terms, e.intention, e.reflection)]


def _contains(terms: list[str], intention: str, reflection: str) -> bool:
    text = fold(f"{intention}\n{reflection}")
    return all(term in text for term in terms)
