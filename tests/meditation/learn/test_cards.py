"""The schedule of the cards: FSRS moves a card by its rating, a wrong answer brings it back
the same day, due cards come before new ones, new ones within the person's daily limit (the
names they sat with first), and a name is known at a stability of 21 days."""

import datetime

import fsrs
import pytest

from meditation.learn import cards
from meditation.models import LearningCard, LearningReview, Rating
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def way(card):
    return card.name.number, card.direction


@pytest.fixture
def person():
    return UserFactory()


def test_a_right_answer_moves_the_due_date_as_fsrs_says(person):
    card = cards.next_card(person, TODAY, NOW)
    expected, _ = cards.SCHEDULER.review_card(fsrs.Card(card_id=1, due=NOW), fsrs.Rating.Good, NOW)
    cards.review(card, Rating.GOOD, TODAY, NOW)
    card.refresh_from_db()
    assert card.due == expected.due
    assert card.stability == pytest.approx(expected.stability)
    assert cards.next_card(person, TODAY, NOW) != card  # a new card first, not it again
    later = card.due + datetime.timedelta(hours=1)
    expected, _ = cards.SCHEDULER.review_card(expected, fsrs.Rating.Good, later)
    cards.review(card, Rating.GOOD, later.date(), later)
    card.refresh_from_db()
    assert card.due == expected.due
    assert card.due - later > datetime.timedelta(days=1)  # graduated: days, not minutes
    assert LearningReview.objects.filter(card=card).count() == 2


def test_a_wrong_answer_brings_the_card_back_today(person):
    card = cards.next_card(person, TODAY, NOW)
    cards.review(card, Rating.GOOD, TODAY, NOW)
    card.refresh_from_db()
    again_at = card.due
    cards.review(card, Rating.AGAIN, TODAY, again_at)
    card.refresh_from_db()
    assert card.due.date() == again_at.date()
    assert card.due - again_at <= cards.LEARN_AHEAD
    assert cards.next_card(person, TODAY, card.due) == card  # due again: before any new card
    prefs = cards.preferences(person)
    prefs.new_per_day = 1
    prefs.save()
    assert cards.next_card(person, TODAY, again_at) == card  # no new card left: asked ahead


def test_due_cards_come_before_new_ones_and_new_ones_stop_at_the_daily_limit(person):
    prefs = cards.preferences(person)
    prefs.new_per_day = 2
    prefs.save()
    first = cards.next_card(person, TODAY, NOW)
    assert way(cards.next_card(person, TODAY, NOW)) == way(first)  # asked until answered
    assert not LearningCard.objects.exists()  # asking writes nothing
    cards.review(first, Rating.EASY, TODAY, NOW)
    second = cards.next_card(person, TODAY, NOW)
    assert way(second) != way(first)
    cards.review(second, Rating.EASY, TODAY, NOW)
    assert cards.next_card(person, TODAY, NOW) is None  # two new today: the limit
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert cards.next_card(person, tomorrow, NOW + datetime.timedelta(days=1)) is not None
    assert LearningCard.objects.filter(user=person).count() == 2


def test_the_names_a_person_sat_with_come_first_then_the_order_of_the_99(person):
    from meditation.models import DivineName

    MeditationSessionFactory(user=person, name=DivineName.objects.get(number=47))
    first = cards.next_card(person, TODAY, NOW)
    assert first.name.number == 47
    cards.review(first, Rating.EASY, TODAY, NOW)
    assert cards.next_card(person, TODAY, NOW).name.number == 1


def test_only_the_directions_chosen_are_asked(person):
    prefs = cards.preferences(person)
    prefs.directions = ["order"]
    prefs.save()
    assert cards.next_card(person, TODAY, NOW).direction == "order"


def test_a_name_is_known_once_its_stability_reaches_21_days(person):
    card = cards.next_card(person, TODAY, NOW)
    at, today = NOW, TODAY
    while card.stability is None or card.stability < cards.KNOWN_STABILITY:
        assert cards.known(person) == {}
        cards.review(card, Rating.GOOD, today, at)
        card.refresh_from_db()
        at = card.due
        today = at.date()
    assert cards.known(person) == {card.direction: 1}
    assert cards.known_names(person) == 1


def test_another_persons_cards_are_theirs_alone(person):
    other = UserFactory()
    mine = cards.next_card(person, TODAY, NOW)
    theirs = cards.next_card(other, TODAY, NOW)
    cards.review(mine, Rating.GOOD, TODAY, NOW)
    cards.review(theirs, Rating.GOOD, TODAY, NOW)
    assert mine.user == person
    assert theirs.user == other
    person.delete()
    assert not LearningCard.objects.filter(pk=mine.pk).exists()
    assert not LearningReview.objects.filter(user_id=mine.user_id).exists()
    assert LearningCard.objects.filter(pk=theirs.pk).exists()


def test_a_question_answered_twice_counts_once(person):
    card = cards.next_card(person, TODAY, NOW)
    shown = LearningCard(user=person, name=card.name, direction=card.direction, due=NOW,
                         introduced_on=TODAY)  # fmt: skip
    assert cards.review(card, Rating.GOOD, TODAY, NOW)
    assert not cards.review(shown, Rating.GOOD, TODAY, NOW)  # the same new card, again
    saved = LearningCard.objects.get()
    stale = LearningCard.objects.get()
    assert cards.review(saved, Rating.GOOD, TODAY, NOW)
    assert not cards.review(stale, Rating.AGAIN, TODAY, NOW)  # shown with one review: now two
    saved.refresh_from_db()
    assert saved.reviews == 2
    assert LearningReview.objects.count() == 2


def test_reading_the_preferences_writes_nothing(person):
    prefs = cards.preferences(person)
    assert prefs.new_per_day == 5
    assert prefs.directions == ["arabic", "meaning", "order"]
    assert prefs.pk is None


def test_practising_a_name_asks_its_card_and_adding_it_makes_it_due(person):
    from meditation.models import DivineName

    name = DivineName.objects.get(number=47)
    card = cards.card_of(person, name, TODAY, NOW)
    assert way(card) == (47, "arabic")
    assert card.pk is None
    assert cards.add_name(person, name, TODAY, NOW) == 3
    assert cards.add_name(person, name, TODAY, NOW) == 0
    assert cards.next_card(person, TODAY, NOW).name.number == 47  # due now: first
    assert cards.next_due(person) == NOW
