"""Cards in a given state, for the learn tests."""

import datetime

from django.utils import timezone

from meditation.learn import cards
from meditation.models import DivineName, LearningCard, Rating


def typed_card(user, number: int = 1, direction: str = "arabic") -> LearningCard:
    """A card of `user`'s in review, due now: asked for a typed answer."""
    now = timezone.now()
    month_ago = now - datetime.timedelta(days=30)
    name = DivineName.objects.get(number=number)
    card = cards.new_card(user, name, direction, month_ago.date(), month_ago)
    cards.review(card, Rating.EASY, month_ago.date(), month_ago)  # Easy: straight to review
    LearningCard.objects.filter(pk=card.pk).update(due=now - datetime.timedelta(minutes=1))
    return card
