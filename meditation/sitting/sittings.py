"""A sitting in progress, for a signed-in person (a journal entry) or a visitor alike.

A visitor's sitting lives only in their browser session (name, timing and count; never their
words), at most the newest few, and is not kept.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any, cast

from django.db.models import F
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..catalogue.translations import localized
from ..journal.stats import streak_with_today
from ..models import DivineName, MeditationSession
from ..ownership import get_own_entry
from .forms import DHIKR_MAX, FinishForm

if TYPE_CHECKING:
    from accounts.models import User

VISITS_KEY = "visitor_sessions"
MAX_VISITS = 5


def visits_of(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(VISITS_KEY, {})


def save_visits(request: HttpRequest, visits: dict[str, dict[str, Any]]) -> None:
    newest = sorted(visits.items(), key=lambda item: item[1]["started"], reverse=True)
    request.session[VISITS_KEY] = dict(newest[:MAX_VISITS])


class Sitting:
    """What the session page needs, for a journal entry or a visitor's session alike."""

    def __init__(self, request: HttpRequest, sitting_id: uuid.UUID) -> None:
        self.request = request
        self.entry: MeditationSession | None = None
        self.visit: dict[str, Any] | None = None
        self.key = str(sitting_id)
        if request.user.is_authenticated:
            self.entry = get_own_entry(request, sitting_id)
            self.name = self.entry.name
            self.started_at = self.entry.started_at
            data: dict[str, Any] = {
                f: getattr(self.entry, f)
                for f in ("planned_seconds", "interval_bell_minutes", "end_bell", "dhikr_target")
            }
            self.count = self.entry.dhikr_count
        else:
            self.visit = visits_of(request).get(self.key)
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
    def finished_entry(self) -> MeditationSession | None:
        """The journal entry, once the sitting has been finished (a visitor's never is)."""
        return self.entry if self.entry is not None and self.entry.finished else None

    @property
    def elapsed_seconds(self) -> float:
        return max(0.0, (timezone.now() - self.started_at).total_seconds())

    def count_one(self) -> None:
        """One more (a tap posted without JavaScript)."""
        if self.entry is not None:
            self._update(self.entry, dhikr_count=F("dhikr_count") + 1)
        else:
            self._set_visit_count(self.count + 1)

    def count_up_to(self, total: int) -> None:
        """The count is `total` if that is more: the browser's running total, sent again and
        again. Retried, repeated or out of order, it never counts a tap twice nor loses one."""
        if self.entry is not None:
            self._update(self.entry, below=total, dhikr_count=total)
        elif total > self.count:
            self._set_visit_count(total)

    def _update(self, entry: MeditationSession, *, below: int | None = None, **values: Any) -> None:
        """The unfinished entry's `values` (only while its count is under `below`, if given)."""
        unfinished = MeditationSession.objects.filter(pk=entry.pk, ended_at__isnull=True)
        if below is not None:
            unfinished = unfinished.filter(dhikr_count__lt=below)
        unfinished.update(**values)
        entry.refresh_from_db(fields=["dhikr_count"])
        self.count = entry.dhikr_count

    def _set_visit_count(self, count: int) -> None:
        visits = visits_of(self.request)
        visits[self.key]["dhikr_count"] = min(count, DHIKR_MAX)
        save_visits(self.request, visits)
        self.count = visits[self.key]["dhikr_count"]

    @property
    def learnable(self) -> DivineName | None:
        """The name, when the sitting is a person's (who may add it to their cards)."""
        return self.name if self.entry is not None else None

    def context(self, finish_form: FinishForm | None = None) -> dict[str, Any]:
        elapsed = self.elapsed_seconds
        minutes_so_far = min(self.planned_seconds, int(elapsed)) // 60
        remaining = max(0, self.planned_seconds - int(elapsed))
        # The entry's owner is the person signed in (the entry was fetched through them).
        person = cast("User", self.request.user) if self.entry is not None else None
        return {
            "sitting": self,
            "name": localized(self.name),  # its words in the page's language
            "streak": streak_with_today(person) if person and person.show_streaks else None,
            "intention": self.entry.intention if self.entry else "",
            "remaining_seconds": remaining,
            "remaining_display": f"{remaining // 60}:{remaining % 60:02d}",
            "planned_minutes": self.planned_seconds // 60,
            "count": self.count,
            "finish_form": finish_form
            or FinishForm(
                initial={"dhikr_count": self.count, "minutes": minutes_so_far},
                learnable=self.learnable,
            ),
        }
