"""How far a person has come in learning the 99: the names known (in any direction, and in
each), the cards due, and their streak of practice days. Two queries, whatever the number of
reviews: the cards (at most 99 × 3 rows) and the distinct days reviewed.

Shown on `/learn/` and, beside the names met, on `/journal/stats/` (whose cached page keys on
`fingerprint`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.safestring import SafeString

from ..journal import heatmap, stats
from ..models import NAME_COUNT, Direction, LearningCard, LearningReview
from .cards import KNOWN_STABILITY

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Progress:
    known: frozenset[int]  # the numbers of the names known in at least one direction
    by_direction: dict[str, int] = field(default_factory=dict)  # names known in each
    cards: int = 0  # cards introduced
    due: int = 0  # due now, in any direction
    streak: stats.Streaks | None = None  # None when the person hides streaks
    practised_today: bool = False

    @property
    def known_count(self) -> int:
        return len(self.known)

    @property
    def name_count(self) -> int:
        return NAME_COUNT

    @property
    def directions(self) -> list[tuple[str, int]]:
        """(label, names known) for each direction, in their order."""
        return [(label, self.by_direction.get(value, 0)) for value, label in Direction.choices]

    def grid(self) -> SafeString:
        """The 99, those known filled: the names-met grid's look."""
        return heatmap.name_grid(dict.fromkeys(self.known, ", known"), ", not known yet")


def progress_of(user: User, today: datetime.date | None = None) -> Progress:
    today = today or stats.local_today(stats.user_zone(user.time_zone))
    now = timezone.now()
    known: dict[str, set[int]] = {}
    cards = due = 0
    rows = LearningCard.objects.filter(user=user).values_list(
        "name__number", "direction", "stability", "due"
    )
    for number, direction, stability, due_at in rows:
        cards += 1
        due += due_at <= now
        if stability is not None and stability >= KNOWN_STABILITY:
            known.setdefault(direction, set()).add(number)
    streak, practised_today = None, False
    if user.show_streaks and cards:
        days = set(
            LearningReview.objects.filter(user=user)
            .values_list("local_date", flat=True)
            .distinct()
            .order_by()
        )
        streak = stats.streaks(days, today)
        practised_today = today in days
    return Progress(
        known=frozenset().union(*known.values()),
        by_direction={direction: len(numbers) for direction, numbers in known.items()},
        cards=cards,
        due=due,
        streak=streak,
        practised_today=practised_today,
    )


def fingerprint(user: User) -> tuple[str, int]:
    """What the progress shown depends on, in one query: the newest review and the number of
    cards (a card added without a review). The stats page's cache keys on it."""
    found = LearningCard.objects.filter(user=user).aggregate(
        newest=Max("last_review"), n=Count("id")
    )
    newest = found["newest"]
    return ("" if newest is None else newest.isoformat(), found["n"])
