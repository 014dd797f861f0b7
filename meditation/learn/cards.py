"""The cards' schedule: FSRS (the `fsrs` package) decides when a card comes back, from the
person's rating of each answer; this module keeps its state in the database and picks what to
ask next, by the person's own dates.

- Due cards come first, oldest due first.
- Then new cards, up to the person's daily limit of introductions (their date, their zone),
  the names they have sat with first ("the names a person meditates on become the names they
  know"), then in the order of the 99.
- Then, when nothing else is left, a card in its learning steps due within `LEARN_AHEAD`
  (FSRS's steps are 1 and 10 minutes: a card answered wrongly comes back the same day, and
  a round does not end on "come back in a minute").
- A name is known in a direction once its card's stability reaches `KNOWN_STABILITY` days.

Asking writes nothing: a new card is an unsaved `LearningCard` until its first answer saves it
(`review`), so a GET of `/learn/` is safe. A review is a conditional write on the number of
reviews the question was shown with: of two submissions of one question only the first counts.
"""

from __future__ import annotations

import datetime
from typing import Any

import fsrs
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone

from ..models import (
    NAME_COUNT,
    DivineName,
    LearningCard,
    LearningPreferences,
    LearningReview,
    MeditationSession,
    Rating,
)

# No fuzz: with a few new cards a day there is no pile-up for it to spread, and the schedule a
# person sees is the one FSRS computes (and the tests can say so).
SCHEDULER = fsrs.Scheduler(enable_fuzzing=False)
KNOWN_STABILITY = 21.0  # days
LEARN_AHEAD = datetime.timedelta(minutes=20)
LEARNING_STATES = (int(fsrs.State.Learning), int(fsrs.State.Relearning))


def preferences(user: Any) -> LearningPreferences:
    """The person's preferences, or the defaults (unsaved: reading them writes nothing)."""
    found = LearningPreferences.objects.filter(user=user).first()
    return found if found is not None else LearningPreferences(user=user)


def as_fsrs(card: LearningCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk or 1,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def review(card: LearningCard, rating: Rating, today: datetime.date,
           at: datetime.datetime | None = None) -> bool:  # fmt: skip
    """Rate an answer to `card` as it was shown (its `reviews` then): FSRS moves its due date,
    and the review is recorded on the person's date `today`. A new card is saved by it.

    False, and nothing written, when the card was answered since it was shown (a second
    submission, another tab): the caller shows the next question instead."""
    at = at or timezone.now()
    seen = card.reviews
    scheduled, _ = SCHEDULER.review_card(as_fsrs(card), fsrs.Rating(int(rating)), at)
    fields = {
        "state": int(scheduled.state),
        "step": scheduled.step,
        "stability": scheduled.stability,
        "difficulty": scheduled.difficulty,
        "due": scheduled.due,
        "last_review": scheduled.last_review,
        "reviews": seen + 1,
        "lapses": card.lapses + (rating == Rating.AGAIN and seen > 0),
    }
    with transaction.atomic():
        if card.pk is None:
            for field, value in fields.items():
                setattr(card, field, value)
            try:
                with transaction.atomic():
                    card.save()
            except IntegrityError:  # introduced meanwhile by another submission
                return False
        elif LearningCard.objects.filter(pk=card.pk, reviews=seen).update(**fields):
            for field, value in fields.items():
                setattr(card, field, value)
        else:
            return False
        LearningReview.objects.create(card=card, user=card.user, rating=rating, reviewed_at=at,
                                      local_date=today)  # fmt: skip
    return True


def introduced_on(user: Any, today: datetime.date) -> int:
    return LearningCard.objects.filter(user=user, introduced_on=today).count()


def _next_new(user: Any, directions: list[str]) -> tuple[DivineName, str] | None:
    """The next name and direction to introduce: names sat with first, then by number."""
    carded = set(LearningCard.objects.filter(user=user).values_list("name_id", "direction"))
    met = (
        MeditationSession.objects.filter(user=user, deleted_at__isnull=True)
        .values("name_id").annotate(first=Min("started_at")).order_by("first")
    )  # fmt: skip
    met_ids = [row["name_id"] for row in met]
    names = {name.pk: name for name in DivineName.objects.only("pk", "number")}
    by_number = sorted(names, key=lambda pk: names[pk].number)
    order = met_ids + [pk for pk in by_number if pk not in set(met_ids)]
    for direction in directions:
        for pk in order:
            if (pk, direction) not in carded:
                return names[pk], direction
    return None


def new_card(user: Any, name: DivineName, direction: str, today: datetime.date,
             now: datetime.datetime) -> LearningCard:  # fmt: skip
    """A card not yet answered: unsaved until its first review."""
    return LearningCard(user=user, name=name, direction=direction, due=now, introduced_on=today)


def next_card(user: Any, today: datetime.date, now: datetime.datetime | None = None,
              prefs: LearningPreferences | None = None) -> LearningCard | None:  # fmt: skip
    """What to ask now: a due card, else a new one (unsaved) within today's limit, else one
    due soon in its learning steps, else nothing. `prefs`: the person's, if already read."""
    now = now or timezone.now()
    prefs = prefs or preferences(user)
    mine = LearningCard.objects.filter(user=user, direction__in=prefs.directions)
    due = mine.filter(due__lte=now).select_related("name").order_by("due").first()
    if due is not None:
        return due
    if introduced_on(user, today) < prefs.new_per_day:
        found = _next_new(user, prefs.directions)
        if found is not None:
            name, direction = found
            return new_card(user, name, direction, today, now)
    soon = mine.filter(due__lte=now + LEARN_AHEAD, state__in=LEARNING_STATES)
    return soon.select_related("name").order_by("due").first()


def card_of(user: Any, name: DivineName, today: datetime.date, now: datetime.datetime,
            prefs: LearningPreferences | None = None) -> LearningCard:  # fmt: skip
    """The card to practise `name` on ("Practise this name"): the person's card of it due
    first in their directions, else a new one in the first direction it lacks (asked whatever
    today's limit: the person chose it)."""
    directions = (prefs or preferences(user)).directions
    found = LearningCard.objects.filter(user=user, name=name, direction__in=directions)
    mine = {card.direction: card for card in found}
    for direction in directions:
        if direction not in mine:
            return new_card(user, name, direction, today, now)
    return min(mine.values(), key=lambda card: card.due)


def add_name(user: Any, name: DivineName, today: datetime.date, now: datetime.datetime) -> int:
    """Add `name` to the person's cards in each of their directions, due now ("add to my
    cards"): how many were added (0 when it was already there)."""
    directions = preferences(user).directions
    have = set(
        LearningCard.objects.filter(user=user, name=name).values_list("direction", flat=True)
    )
    added = [new_card(user, name, d, today, now) for d in directions if d not in have]
    LearningCard.objects.bulk_create(added, ignore_conflicts=True)
    return len(added)


def next_due(user: Any, prefs: LearningPreferences | None = None) -> datetime.datetime | None:
    """When the person's next card in their directions comes due."""
    directions = (prefs or preferences(user)).directions
    found = LearningCard.objects.filter(user=user, direction__in=directions).aggregate(
        first=Min("due")
    )
    return found["first"]


def known(user: Any) -> dict[str, int]:
    """How many names are known in each direction (stability of `KNOWN_STABILITY` days)."""
    rows = (
        LearningCard.objects.filter(user=user, stability__gte=KNOWN_STABILITY)
        .values("direction").annotate(n=Count("name", distinct=True))
    )  # fmt: skip
    return {row["direction"]: row["n"] for row in rows}


def known_names(user: Any) -> int:
    """Names known in at least one direction, of `NAME_COUNT`."""
    count: int = (
        LearningCard.objects.filter(user=user, stability__gte=KNOWN_STABILITY)
        .values("name").distinct().count()
    )  # fmt: skip
    return min(count, NAME_COUNT)
