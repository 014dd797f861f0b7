"""Progress: the names known (a stability of 21 days in any direction), on /learn/ and beside the
names met on /journal/stats/, with a grid; the learning streak, hidden with the meditation
streak; the stats page kept until a review changes what it shows."""

import datetime

import pytest
from django.utils import timezone

from meditation.learn import cards, progress
from meditation.models import DivineName, LearningCard, LearningReview, Rating

pytestmark = pytest.mark.django_db


def know(user, number, direction="arabic", days_ago=1):
    """A card of `user`'s known: reviewed Good until its stability passes 21 days."""
    at = timezone.now() - datetime.timedelta(days=400 + days_ago)
    card = cards.new_card(user, DivineName.objects.get(number=number), direction, at.date(), at)
    while card.stability is None or card.stability < cards.KNOWN_STABILITY:
        cards.review(card, Rating.GOOD, at.date(), at)
        at = card.due
    # The last review's day: `days_ago` days before today (the streak counts these).
    day = timezone.now().date() - datetime.timedelta(days=days_ago)
    LearningReview.objects.filter(card=card).update(local_date=day)
    return card


def test_the_names_known_count_each_name_once_whatever_its_directions(user):
    know(user, 1, "arabic")
    know(user, 1, "meaning")
    know(user, 2, "order")
    now = timezone.now()
    cards.review(cards.new_card(user, DivineName.objects.get(number=3), "arabic", now.date(), now),
                 Rating.GOOD, now.date(), now)  # fmt: skip
    found = progress.progress_of(user)
    assert found.known == frozenset({1, 2})
    assert found.known_count == 2
    assert dict(found.by_direction) == {"arabic": 1, "meaning": 1, "order": 1}
    assert found.cards == 4


def test_the_learning_streak_counts_practice_days_and_is_hidden_with_streaks(user):
    know(user, 1, days_ago=0)
    know(user, 2, days_ago=1)
    know(user, 3, days_ago=3)
    found = progress.progress_of(user)
    assert (found.streak.current, found.streak.longest) == (2, 2)
    assert found.practised_today
    user.show_streaks = False
    user.save()
    assert progress.progress_of(user).streak is None


def test_the_learn_page_shows_the_known_names_in_a_grid(signed_in, user):
    know(user, 7)
    html = signed_in.get("/learn/").content.decode()
    assert "You know <strong>1 of 99</strong> names" in html
    assert "Names known: 1 of 99" in html
    assert html.count("names-met__cell--met") == 1
    assert '<a class="names-met__cell names-met__cell--met" href="/names/7/">7' in html
    assert html.count(", not known yet") == 98


def test_the_stats_page_shows_the_names_known_beside_the_names_met(signed_in, user):
    html = signed_in.get("/journal/stats/").content.decode()
    assert "Names known: 0 of 99" in html
    assert "None yet. A name counts as known" in html
    know(user, 7, days_ago=0)
    html = signed_in.get("/journal/stats/").content.decode()  # a review: the page made again
    assert "Names known: 1 of 99" in html
    assert '<a class="names-met__cell names-met__cell--met" href="/names/7/">7' in html
    assert 'id="learning-streak">Learning streak: 1 day (longest 1).' in html


def test_the_stats_page_hides_the_learning_streak_with_the_others(signed_in, user):
    user.show_streaks = False
    user.save()
    know(user, 7, days_ago=0)
    html = signed_in.get("/journal/stats/").content.decode()
    assert "Names known: 1 of 99" in html
    assert "learning-streak" not in html
    assert "Current streak" not in html


def test_the_kept_stats_page_follows_an_answer_on_learn(signed_in, user):
    card = know(user, 7, days_ago=0)
    assert "Names known: 1 of 99" in signed_in.get("/journal/stats/").content.decode()
    # Two wrong answers: stability falls below 21 days.
    for _ in range(2):
        card.refresh_from_db()
        page = signed_in.get("/learn/?name=7").content.decode()
        assert 'name="number" value="7"' in page
        seen = LearningCard.objects.get(pk=card.pk).reviews
        signed_in.post("/learn/answer/", {"number": "7", "direction": "arabic", "seen": seen,
                                          "answer": "zzz"})  # fmt: skip
    assert LearningCard.objects.get(pk=card.pk).stability < cards.KNOWN_STABILITY
    assert "Names known: 0 of 99" in signed_in.get("/journal/stats/").content.decode()
