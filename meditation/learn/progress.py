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

from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from ..journal import heatmap, stats
from ..models import NAME_COUNT, Direction, LearningCard, LearningReview
from .cards import KNOWN_STABILITY
from .questions import DIRECTION_LABELS

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
        return [
            (str(DIRECTION_LABELS[value]), self.by_direction.get(value, 0)) for value in Direction
        ]

    def grid(self) -> SafeString:
        """The 99, those known filled: the names-met grid's look."""
        known, not_known = gettext(", known"), gettext(", not known yet")
        return heatmap.name_grid(dict.fromkeys(self.known, known), not_known)


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


# The attribute the person's newest review is read into with them (`accounts.backends`).
READ_WITH_PERSON = "learning_reviewed_at"


def _newest_review() -> QuerySet[LearningCard]:
    """The cards by their last review, newest first (one probe of the
    `meditation_card_user_reviewed` index once filtered by person)."""
    return LearningCard.objects.filter(last_review__isnull=False).order_by("-last_review")


def read_with_person() -> Subquery:
    """The newest review's time as a subquery of the person's row, as the backend gives it (a
    datetime on Postgres, text on SQLite: only ever compared with itself)."""
    newest = _newest_review().filter(user=OuterRef("pk")).values("last_review")[:1]
    return Subquery(newest, output_field=TextField())


def fingerprint(user: User, *, as_request_began: bool = False) -> str:
    """What the progress shown depends on (with the person's today): their newest review. Known
    names and the streak change only with a review. The stats page's cache keys on it.

    `as_request_began`: the value read with the person, when there is one (no query): only for
    a view that has written nothing."""
    if as_request_began and READ_WITH_PERSON in user.__dict__:
        newest = user.__dict__[READ_WITH_PERSON]
    else:
        newest = _newest_review().filter(user=user).values_list("last_review", flat=True).first()
    return "" if newest is None else str(newest)
