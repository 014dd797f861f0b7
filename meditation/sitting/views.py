"""/meditate/: intention → a drawn (or chosen) name → the timed sitting → reflection.

A signed-in person's sitting is a journal entry; a visitor's is kept in their browser session
only (see `sittings.py`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import audit

from ..audit import Action
from ..catalogue.translations import localized
from ..journal.stats import local_today, user_zone
from ..learn import cards
from ..models import DivineName, MeditationSession, time_sat
from .forms import DhikrTotalForm, FinishForm, MeditateForm
from .randomizer import draw
from .sittings import Sitting, save_visits, visits_of

if TYPE_CHECKING:
    from accounts.models import User


@require_http_methods(["GET", "POST"])
def meditate(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    preferences = {
        "default_minutes": user.default_session_minutes if user else 10,
        "own_target": user.dhikr_target if user else 33,
    }
    initial = {"number": request.GET.get("name")} if request.method == "GET" else None
    form = MeditateForm(request.POST or None, initial=initial, **preferences)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        number = data["number"] or draw(data["intention"])
        name = get_object_or_404(DivineName, number=number)
        if form.intention_changed:
            messages.info(
                request,
                _(
                    "We removed HTML tags or control characters from your intention. "
                    "It reads: “%(intention)s”"
                )
                % {"intention": data["intention"]},
            )
        options = {
            "planned_seconds": data["minutes"] * 60,
            "interval_bell_minutes": data["interval_bell"],
            "end_bell": data["end_bell"],
            "dhikr_target": data["dhikr_target"],
        }
        if user is not None:
            entry = MeditationSession.objects.create(
                user=user, name=name, intention=data["intention"], **options
            )
            audit.record(request, Action.ENTRY_CREATED, entry, source="web")
            return redirect("meditation:sitting", sitting_id=entry.pk)
        visit_id = str(uuid.uuid4())
        visits = visits_of(request)
        visits[visit_id] = {
            "number": name.number,
            "started": timezone.now().timestamp(),
            "dhikr_count": 0,
            **options,
        }
        save_visits(request, visits)
        return redirect("meditation:sitting", sitting_id=visit_id)
    more = [form[name] for name in ("custom_minutes", "interval_bell", "end_bell", "dhikr_target")]
    return render(request, "meditation/meditate.html", {"form": form, "more": more})


@require_safe
def sitting_page(request: HttpRequest, sitting_id: uuid.UUID) -> HttpResponse:
    sitting = Sitting(request, sitting_id)
    if (entry := sitting.finished_entry) is not None:
        return redirect(entry)
    return render(request, "meditation/session.html", sitting.context())


@require_POST
def sitting_dhikr(request: HttpRequest, sitting_id: uuid.UUID) -> HttpResponse:
    """A tap without JavaScript (one more, then the page again), or the browser's running
    total (`total`: JSON back with the count kept, which the browser counts on from)."""
    sitting = Sitting(request, sitting_id)
    syncing = "total" in request.POST
    if (entry := sitting.finished_entry) is not None:
        if syncing:
            return JsonResponse({"count": entry.dhikr_count, "finished": True}, status=409)
        return redirect(entry)
    if not syncing:
        sitting.count_one()
        return redirect(f"{request.path.removesuffix('dhikr/')}#dhikr")
    form = DhikrTotalForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    sitting.count_up_to(form.cleaned_data["total"])
    return JsonResponse({"count": sitting.count, "finished": False})


@require_POST
def sitting_finish(request: HttpRequest, sitting_id: uuid.UUID) -> HttpResponse:
    sitting = Sitting(request, sitting_id)
    if (entry := sitting.finished_entry) is not None:
        messages.info(request, _("This session was already saved."))
        return redirect(entry)
    form = FinishForm(request.POST, learnable=sitting.learnable)
    if not form.is_valid():
        return render(request, "meditation/session.html", sitting.context(form), status=200)
    data = form.cleaned_data
    actual = form.actual_seconds(sitting.elapsed_seconds)
    count = data["dhikr_count"] if data["dhikr_count"] is not None else sitting.count
    if sitting.entry is None:
        visits = visits_of(request)
        visits.pop(sitting.key, None)
        save_visits(request, visits)
        context = {"name": localized(sitting.name), "time_sat": time_sat(actual), "count": count}
        return render(request, "meditation/session_done.html", context)
    # A conditional update: of two submissions of the same form, only the first saves.
    updated = MeditationSession.objects.filter(pk=sitting.entry.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(),
        updated_at=timezone.now(),
        actual_seconds=actual,
        dhikr_count=count,
        reflection=data["reflection"],
        mood=data["mood"],
    )
    if updated:
        audit.record(
            request,
            Action.ENTRY_EDITED,
            sitting.entry,
            fields=["actual_seconds", "dhikr_count", "mood", "reflection"],
            finished=True,
        )
        messages.success(request, _("Your session is saved in your journal."))
        if data.get("learn"):
            person = cast("User", request.user)
            now = timezone.now()
            added = cards.add_name(
                person, sitting.name, local_today(user_zone(person.time_zone)), now
            )
            messages.success(
                request,
                (
                    _("%(name)s is in your cards: Learn asks it first.")
                    if added
                    else _("%(name)s was already in your cards.")
                )
                % {"name": sitting.name.transliteration},
            )
    else:
        messages.info(request, _("This session was already saved."))
    return redirect(sitting.entry)
