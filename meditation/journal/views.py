"""/journal/: the list with filters and search, one entry, inline edit, the trash, stats."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import audit
from accounts.requests import AuthenticatedRequest
from aysekai_site.platform.htmx import render_fragment, render_page_or_fragment, wants_fragment
from aysekai_site.platform.versions import code_version

from ..audit import Action
from ..models import MeditationSession
from ..ownership import get_own_entry
from . import stats_page
from .forms import EntryEditForm, JournalFilterForm
from .list_cache import sealed_results
from .search import confirm, filtered_entries, search_text
from .stats_cache import fingerprint

PAGE_SIZE = 20
UNDO_KEY = "journal_undo_trash"  # in the session: the entry a journal page offers to restore
# The name's fields a row does not show (long texts): not read.
NAME_UNSHOWN = tuple(
    f"name__{field}"
    for field in ("description", "tawil", "quran_references", "verse_arabic",
                  "verse_translation", "dhikr", "dhikr_arabic", "pronunciation", "phonetics")
)  # fmt: skip


@login_required
@require_safe
def journal(request: AuthenticatedRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    params = request.GET.copy()
    params.pop("page", None)
    filtered = bool(request.GET.dict().keys() - {"page"})
    querystring = params.urlencode()

    def body() -> SafeString:
        """The filters (they show what was asked) and the results."""
        entries = filtered_entries(request, form)
        # Only the page's rows are decrypted (without a search, not even their reflection).
        entries = search_text(entries, query, user.pk) if query else entries.defer("reflection")
        ordered = entries.select_related("name").defer(*NAME_UNSHOWN).order_by("-started_at")
        page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = confirm(list(page.object_list), query) if query else list(page.object_list)
        context = {"form": form, "page": page, "entries": rows, "filtered": filtered,
                   "querystring": querystring}  # fmt: skip
        return render_to_string("meditation/journal.html#body", context, request)

    user = request.user
    if form.is_valid():
        # Everything the results show, so that a change anywhere is a new key (list_cache).
        # (the catalogue version is kept with the markup: `sealed_results`)
        parts = (*fingerprint(user, as_request_began=True), code_version(),
                 sorted(request.GET.lists()))  # fmt: skip
        html = sealed_results(user, parts, body)
    else:  # the form's errors (they show what was typed) are not kept
        html = body()
    context = {"form": form, "query": query, "body_html": html, "undo": _undo_offer(request)}
    return render(request, "meditation/journal.html", context)


@login_required
@require_safe
def entry_detail(request: AuthenticatedRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_own_entry(request, entry_id)
    return render(request, "meditation/entry.html", {"entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: AuthenticatedRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_own_entry(request, entry_id)
    form = EntryEditForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            audit.record(request, Action.ENTRY_EDITED, entry, fields=sorted(form.changed_data))
        if wants_fragment(request):
            context = {"entry": entry, "saved": True}
            return render_fragment(request, "meditation/entry.html", "body", context)
        messages.success(request, gettext("Your changes are saved."))
        return redirect(entry)
    context = {"entry": entry, "form": form}
    return render_page_or_fragment(request, "meditation/entry_edit.html", "form", context)


@login_required
@require_POST
def entry_delete(request: AuthenticatedRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_own_entry(request, entry_id)
    entry.deleted_at = timezone.now()
    entry.save(update_fields=["deleted_at", "updated_at"])
    audit.record(request, Action.ENTRY_DELETED, entry)
    days = settings.TRASH_RETENTION_DAYS
    # The same English for one day or many; the plural is for the languages that need it.
    message = ngettext(
        "The entry is in the trash. It will be deleted for good after %(days)s days "
        "unless you restore it.",
        "The entry is in the trash. It will be deleted for good after %(days)s days "
        "unless you restore it.",
        days,
    )
    messages.success(request, message % {"days": days})
    request.session[UNDO_KEY] = str(entry.pk)  # the journal offers to undo it, once
    return redirect("meditation:journal")


def _undo_offer(request: AuthenticatedRequest) -> MeditationSession | None:
    """The entry just moved to the trash, offered once for an undo, if it is still there and
    the person's own."""
    if UNDO_KEY not in request.session:
        return None
    entry_id = request.session.pop(UNDO_KEY)
    return (
        MeditationSession.objects.filter(user=request.user, pk=entry_id)
        .in_trash()
        .select_related("name")
        .first()
    )


@login_required
@require_POST
def entry_restore(request: AuthenticatedRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_own_entry(request, entry_id, in_trash=True)
    entry.deleted_at = None
    entry.save(update_fields=["deleted_at", "updated_at"])
    audit.record(request, Action.ENTRY_RESTORED, entry)
    messages.success(request, gettext("The entry is back in your journal."))
    return redirect(entry)


@login_required
@require_safe
def trash(request: AuthenticatedRequest) -> HttpResponse:
    entries = (
        MeditationSession.objects.filter(user=request.user)
        .in_trash()
        .select_related("name")
        .order_by("-deleted_at")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    retention = datetime.timedelta(days=settings.TRASH_RETENTION_DAYS)
    rows: list[dict[str, Any]] = [
        {"entry": e, "purge_on": e.purge_on(retention)} for e in page.object_list
    ]
    context = {"page": page, "rows": rows, "retention_days": settings.TRASH_RETENTION_DAYS}
    return render(request, "meditation/trash.html", context)


@login_required
@require_safe
def stats(request: AuthenticatedRequest) -> HttpResponse:
    # The markup inside the frame is the person's own, cached (stats_page); the frame is not.
    content = stats_page.markup(request.user)
    return render(request, "meditation/stats.html", {"content": content})
