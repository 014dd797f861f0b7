"""The meditation flow: intention → a drawn (or chosen) name → timed session → reflection.

Signed-in users' sessions are journal entries. A visitor's session lives only in their
browser session (name, timing and count; never their words) and is not kept.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import audit
from accounts.audit import Action

from .forms import FinishForm, MeditateForm
from .models import DivineName, MeditationSession
from .ownership import get_own_session
from .randomizer import draw

VISITS_KEY = "visitor_sessions"
MAX_VISITS = 5


def _visits(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(VISITS_KEY, {})


def _save_visits(request: HttpRequest, visits: dict[str, dict[str, Any]]) -> None:
    newest = sorted(visits.items(), key=lambda item: item[1]["started"], reverse=True)
    request.session[VISITS_KEY] = dict(newest[:MAX_VISITS])


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
                "We removed HTML tags or control characters from your intention. "
                f"It reads: “{data['intention']}”",
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
            return redirect("meditation:session", session_id=entry.pk)
        visit_id = str(uuid.uuid4())
        visits = _visits(request)
        visits[visit_id] = {
            "number": name.number,
            "started": timezone.now().timestamp(),
            "dhikr_count": 0,
            **options,
        }
        _save_visits(request, visits)
        return redirect("meditation:session", session_id=visit_id)
    return render(request, "meditation/meditate.html", {"form": form})


class Sitting:
    """What the session page needs, for a journal entry or a visitor's session alike."""

    def __init__(self, request: HttpRequest, session_id: uuid.UUID) -> None:
        self.request = request
        self.entry: MeditationSession | None = None
        self.visit: dict[str, Any] | None = None
        self.key = str(session_id)
        if request.user.is_authenticated:
            self.entry = get_own_session(request, session_id)
            self.name = self.entry.name
            self.started_at = self.entry.started_at
            data: dict[str, Any] = {
                f: getattr(self.entry, f)
                for f in ("planned_seconds", "interval_bell_minutes", "end_bell", "dhikr_target")
            }
            self.count = self.entry.dhikr_count
        else:
            self.visit = _visits(request).get(self.key)
            if self.visit is None:
                raise Http404("No such session in this browser.")
            self.name = get_object_or_404(DivineName, number=self.visit["number"])
            self.started_at = datetime.datetime.fromtimestamp(self.visit["started"], datetime.UTC)
            data = self.visit
            self.count = self.visit["dhikr_count"]
        self.planned_seconds = data["planned_seconds"]
        self.interval_bell_minutes = data["interval_bell_minutes"]
        self.end_bell = data["end_bell"]
        self.dhikr_target = data["dhikr_target"]

    @property
    def finished(self) -> bool:
        return self.entry is not None and self.entry.finished

    @property
    def elapsed_seconds(self) -> float:
        return max(0.0, (timezone.now() - self.started_at).total_seconds())

    def count_one(self) -> None:
        if self.entry is not None:
            MeditationSession.objects.filter(pk=self.entry.pk, ended_at__isnull=True).update(
                dhikr_count=F("dhikr_count") + 1
            )
            self.entry.refresh_from_db(fields=["dhikr_count"])
            self.count = self.entry.dhikr_count
        else:
            visits = _visits(self.request)
            visits[self.key]["dhikr_count"] += 1
            _save_visits(self.request, visits)
            self.count = visits[self.key]["dhikr_count"]

    def context(self, finish_form: FinishForm | None = None) -> dict[str, Any]:
        elapsed = self.elapsed_seconds
        minutes_so_far = min(self.planned_seconds, int(elapsed)) // 60
        remaining = max(0, self.planned_seconds - int(elapsed))
        return {
            "sitting": self,
            "name": self.name,
            "intention": self.entry.intention if self.entry else "",
            "remaining_seconds": remaining,
            "remaining_display": f"{remaining // 60}:{remaining % 60:02d}",
            "planned_minutes": self.planned_seconds // 60,
            "count": self.count,
            "finish_form": finish_form
            or FinishForm(initial={"dhikr_count": self.count, "minutes": minutes_so_far}),
        }


@require_http_methods(["GET"])
def session(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    sitting = Sitting(request, session_id)
    if sitting.finished:
        return redirect(sitting.entry)
    return render(request, "meditation/session.html", sitting.context())


@require_POST
def dhikr(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    sitting = Sitting(request, session_id)
    if sitting.finished:
        return redirect(sitting.entry)
    sitting.count_one()
    if request.htmx:
        return render(request, "meditation/session.html#dhikr", sitting.context())
    return redirect(f"{request.path.removesuffix('dhikr/')}#dhikr")


@require_POST
def finish(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    sitting = Sitting(request, session_id)
    if sitting.finished:
        messages.info(request, "This session was already saved.")
        return redirect(sitting.entry)
    form = FinishForm(request.POST)
    if not form.is_valid():
        return render(request, "meditation/session.html", sitting.context(form), status=200)
    data = form.cleaned_data
    actual = form.actual_seconds(sitting.elapsed_seconds)
    count = data["dhikr_count"] if data["dhikr_count"] is not None else sitting.count
    if sitting.entry is None:
        visits = _visits(request)
        visits.pop(sitting.key, None)
        _save_visits(request, visits)
        context = {"name": sitting.name, "minutes": round(actual / 60), "count": count}
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
        messages.success(request, "Your session is saved in your journal.")
    else:
        messages.info(request, "This session was already saved.")
    return redirect(sitting.entry)
