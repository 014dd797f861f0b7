"""A card's question is rebuilt the same from the card (never from what the browser sends):
four options with the answer among them while the card is new, a typed answer once it is in
review; a right answer rates Good, a wrong one Again."""

import datetime

import pytest

from meditation.learn import cards, questions
from meditation.models import DivineName, Rating
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def names():
    return list(DivineName.objects.all())


@pytest.fixture
def card():
    return cards.next_card(UserFactory(), NOW.date(), NOW)


def test_a_new_card_asks_a_choice_of_four_with_the_answer_among_them(card, names):
    question = questions.ask(card, names)
    assert question.kind == questions.CHOICE
    assert len(question.options) == 4
    assert card.name in question.options
    assert questions.ask(card, names).options == question.options  # the same when shown again


def test_the_answers_place_varies_between_cards(names):
    person = UserFactory()
    places = set()
    for _ in range(5):  # the daily limit of new cards
        card = cards.next_card(person, NOW.date(), NOW)
        places.add(questions.ask(card, names).options.index(card.name))
        cards.review(card, Rating.EASY, NOW.date(), NOW)
    assert len(places) > 1


def test_a_card_in_review_asks_for_a_typed_answer(card, names):
    cards.review(card, Rating.EASY, NOW.date(), NOW)  # Easy: straight to review
    card.refresh_from_db()
    question = questions.ask(card, names)
    assert question.kind == questions.TYPED
    assert question.options == ()


@pytest.mark.parametrize(
    ("kind", "answer", "right"),
    [(questions.CHOICE, "1", True), (questions.CHOICE, "2", False), (questions.CHOICE, "x", False),
     (questions.CHOICE, "", False), (questions.TYPED, "rahmaan", True),
     (questions.TYPED, "الرحمن", True), (questions.TYPED, "rahim", False),
     (questions.TYPED, "", False)],
)  # fmt: skip
def test_a_right_answer_rates_good_and_a_wrong_one_again(card, kind, answer, right):
    question = questions.Question(card, kind, ())
    assert card.name.number == 1
    assert questions.rate(question, answer) == (right, Rating.GOOD if right else Rating.AGAIN)


def test_no_meaning_is_two_names_so_no_meaning_question_has_two_right_answers(names):
    meanings = [" ".join(name.meaning.casefold().split()) for name in names]
    assert len(set(meanings)) == len(meanings) == 99


def test_the_order_asks_for_the_number_on_its_other_turn_with_numbers_near_it(names):
    from meditation.learn import cards as schedule

    person = UserFactory()
    prefs = schedule.preferences(person)
    prefs.directions = ["order"]
    prefs.save()
    card = schedule.next_card(person, NOW.date(), NOW)
    assert not questions.ask(card, names).for_number  # the number → the name
    schedule.review(card, Rating.GOOD, NOW.date(), NOW)
    question = questions.ask(card, names)
    assert question.for_number  # the name → its number
    numbers = sorted(option.number for option in question.options)
    assert card.name.number in numbers
    assert all(1 <= n <= 99 and abs(n - card.name.number) <= questions.NEAR + 1 for n in numbers)
    assert questions.rate(question, "1") == (True, Rating.GOOD)
    assert questions.rate(question, "٠١") == (True, Rating.GOOD)  # Arabic-Indic digits
    assert questions.rate(question, "2")[0] is False


def test_a_right_typed_answer_rates_as_the_person_felt_it(card):
    typed = questions.Question(card, questions.TYPED, ())
    assert questions.rate(typed, "rahman", Rating.EASY) == (True, Rating.EASY)
    assert questions.rate(typed, "rahman", Rating.HARD) == (True, Rating.HARD)
    assert questions.rate(typed, "rahim", Rating.EASY) == (False, Rating.AGAIN)
    choice = questions.Question(card, questions.CHOICE, ())
    assert questions.rate(choice, "1", Rating.EASY) == (True, Rating.GOOD)  # a choice is Good
