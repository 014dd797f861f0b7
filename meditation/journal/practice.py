"""What a signed-in person's home page says of their practice (issue 14): a sitting to carry
on, their streak, and the start of their last reflection. Three small queries, fetched through
the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import Truncator

from ..models import MeditationSession
from . import stats

if TYPE_CHECKING:
    from accounts.models import User

EXCERPT_WORDS = 40


@dataclass(frozen=True)
class Practice:
    unfinished: MeditationSession | None  # the newest sitting not finished (not in the trash)
    streak: int | None  # None when the person hides streaks
    last_reflection: MeditationSession | None
    excerpt: str
    sessions: int

    @property
    def new(self) -> bool:
        return self.sessions == 0 and self.unfinished is None


def practice_of(user: User) -> Practice:
    entries = MeditationSession.objects.filter(user=user, deleted_at__isnull=True)
    unfinished = (
        entries.filter(ended_at__isnull=True).select_related("name").order_by("-started_at").first()
    )
    streak = None
    sessions = entries.filter(ended_at__isnull=False).count()
    if user.show_streaks and sessions:
        streak = stats.stats_now(user).streaks.current
    # Only the newest few are decrypted to find one with words (a reflection is optional).
    last = None
    for entry in entries.filter(ended_at__isnull=False).select_related("name")[:10]:
        if entry.reflection.strip():
            last = entry
            break
    excerpt = Truncator(" ".join(last.reflection.split())).words(EXCERPT_WORDS) if last else ""
    return Practice(unfinished=unfinished, streak=streak, last_reflection=last, excerpt=excerpt,
                    sessions=sessions)  # fmt: skip
