"""/learn/ through its real URLs, as a person and as a visitor, with and without htmx: the
question asked, the answer checked and scheduled as FSRS says, a round without an account,
the settings, the recitation in order."""

import datetime
import re
import zoneinfo
from unittest import mock

import fsrs
import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from meditation.learn import cards, rounds
from meditation.models import (
    DivineName,
    LearningCard,
    LearningPreferences,
    LearningReview,
    MeditationSession,
)
from tests.factories import MeditationSessionFactory, UserFactory

from .helpers import typed_card

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def question_of(response):
    """The question a page asks: its hidden fields and its options' numbers."""
    html = response.content.decode()
    fields = dict(
        re.findall(
            r'<input type="hidden" name="(number|direction|seen|round)" value="([^"]*)"', html
        )
    )
    fields["options"] = [int(n) for n in re.findall(r'name="answer" value="(\d+)"', html)]
    fields["typed"] = 'id="answer"' in html
    return fields


def answer(client, asked, given, **extra):
    data = {k: asked[k] for k in ("number", "direction", "seen", "round") if k in asked}
    return client.post(
        "/learn/answer/", {**data, "answer": given, **extra.pop("data", {})}, **extra
    )


def right_answer(asked):
    """The right answer to a question as the page asks it."""
    if asked["typed"]:
        name = DivineName.objects.get(number=int(asked["number"]))
        return (
            str(name.number)
            if int(asked["seen"]) % 2 and asked["direction"] == "order"
            else (name.transliteration)
        )
    return asked["number"]


def wrong_choice(asked):
    return str(next(n for n in asked["options"] if n != int(asked["number"])))


# A person


def test_a_person_is_asked_a_new_card_and_asking_writes_nothing(signed_in, user):
    response = signed_in.get("/learn/")
    assert response.status_code == 200
    asked = question_of(response)
    assert asked["number"] == "1"
    assert asked["direction"] == "arabic"
    assert asked["seen"] == "0"
    assert len(asked["options"]) == 4
    assert 1 in asked["options"]
    assert b"You know <strong>0 of 99</strong>" in response.content
    assert not LearningCard.objects.exists()
    assert not LearningPreferences.objects.exists()
    assert (
        response.headers["Cache-Control"].startswith("private")
        or "no-store" in response.headers["Cache-Control"]
    )


def test_a_right_answer_moves_the_due_date_as_fsrs_says(signed_in, user):
    asked = question_of(signed_in.get("/learn/"))
    response = answer(signed_in, asked, right_answer(asked))
    assert response.status_code == 200
    card = LearningCard.objects.get(user=user)
    expected, _ = cards.SCHEDULER.review_card(fsrs.Card(card_id=1, due=card.last_review),
                                              fsrs.Rating.Good, card.last_review)  # fmt: skip
    assert card.due == expected.due
    assert card.stability == pytest.approx(expected.stability)
    assert card.reviews == 1
    assert LearningReview.objects.get(card=card).rating == 3
    assert b"Right." in response.content
    assert b"It comes back in" in response.content
    assert question_of(response)["number"] != "1" or question_of(response)["direction"] != "arabic"


def test_a_wrong_answer_brings_the_card_back_today(signed_in, user):
    asked = question_of(signed_in.get("/learn/"))
    response = answer(signed_in, asked, wrong_choice(asked))
    assert b"Not this time." in response.content
    assert 'It is <a href="/names/1/">1. Ar-Raḥmān</a>'.encode() in response.content
    card = LearningCard.objects.get(user=user)
    assert card.due.date() == timezone.now().date()
    assert card.due - timezone.now() <= cards.LEARN_AHEAD
    assert LearningReview.objects.get(card=card).rating == 1
    # Once the day's new cards are answered, it is asked again before the round ends.
    LearningPreferences.objects.create(user=user, new_per_day=1)
    again = question_of(signed_in.get("/learn/"))
    assert (again["number"], again["direction"], again["seen"]) == ("1", "arabic", "1")


def test_with_htmx_only_the_round_comes_back(signed_in):
    asked = question_of(signed_in.get("/learn/"))
    response = answer(signed_in, asked, right_answer(asked), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="round"')
    assert "<html" not in html
    assert "known-heading" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert question_of(response)["options"]  # the next question is in it


def test_a_question_answered_twice_counts_once(signed_in, user):
    asked = question_of(signed_in.get("/learn/"))
    answer(signed_in, asked, right_answer(asked))
    response = answer(signed_in, asked, right_answer(asked))
    assert response.status_code == 200
    assert b"already answered" in response.content
    assert LearningReview.objects.count() == 1
    assert LearningCard.objects.get().reviews == 1


def test_a_choice_that_was_not_offered_is_refused(signed_in, user):
    asked = question_of(signed_in.get("/learn/"))
    not_offered = next(n for n in range(1, 100) if n not in asked["options"])
    response = answer(signed_in, asked, str(not_offered))
    assert b"Choose one of the four answers." in response.content
    assert not LearningReview.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"number": "100", "direction": "arabic", "seen": "0"},
     {"number": "1", "direction": "sideways", "seen": "0"},
     {"number": "1", "direction": "arabic", "seen": "-1"},
     {"number": "1 OR 1=1", "direction": "arabic", "seen": "0"}],
)  # fmt: skip
def test_an_answer_that_cannot_be_read_is_a_400_with_a_question(signed_in, data):
    response = signed_in.post("/learn/answer/", {**data, "answer": "1"})
    assert response.status_code == 400
    assert b"could not be read" in response.content
    assert question_of(response)["options"]
    assert not LearningReview.objects.exists()


def test_a_typed_answer_is_checked_leniently_and_rated_as_the_person_says(signed_in, user):
    typed_card(user)
    asked = question_of(signed_in.get("/learn/"))
    assert asked["typed"]
    assert not asked["options"]
    assert (asked["number"], asked["seen"]) == ("1", "1")
    response = answer(signed_in, asked, "rahmaan", data={"felt": "4"})
    assert b"Right." in response.content
    assert LearningReview.objects.order_by("reviewed_at").last().rating == 4  # Easy


def test_a_typed_answer_in_arabic_script_is_refused_where_latin_letters_are_asked(signed_in, user):
    typed_card(user)
    asked = question_of(signed_in.get("/learn/"))
    response = answer(signed_in, asked, "الرحمن")
    assert b"Write the name in Latin letters" in response.content
    assert LearningReview.objects.count() == 1  # only the set-up's


def test_an_empty_answer_shows_the_question_again(signed_in, user):
    typed_card(user)
    asked = question_of(signed_in.get("/learn/"))
    response = answer(signed_in, asked, "   ")
    assert b"Write an answer, or choose one." in response.content
    assert b'aria-invalid="true"' in response.content
    assert question_of(response)["number"] == "1"
    assert LearningReview.objects.count() == 1


def test_the_order_is_asked_both_ways(signed_in, user):
    LearningPreferences.objects.create(user=user, directions=["order"])
    asked = question_of(signed_in.get("/learn/"))
    assert b"Which is name 1?" in signed_in.get("/learn/").content
    answer(signed_in, asked, right_answer(asked))
    LearningCard.objects.update(due=timezone.now())  # due again: the reverse turn
    LearningPreferences.objects.filter(user=user).update(new_per_day=0)
    response = signed_in.get("/learn/")
    assert b"Which number is it in the order?" in response.content
    reverse = question_of(response)
    assert all(abs(n - 1) <= 4 for n in reverse["options"])  # numbers near it
    response = answer(signed_in, reverse, "1")
    assert b"Right." in response.content
    assert b"is name 1" in response.content


def test_the_names_a_person_sat_with_come_first(signed_in, user):
    MeditationSessionFactory(user=user, name=DivineName.objects.get(number=47))
    assert question_of(signed_in.get("/learn/"))["number"] == "47"


def test_practise_this_name_asks_it(signed_in, user):
    asked = question_of(signed_in.get("/learn/?name=47"))
    assert asked["number"] == "47"
    answer(signed_in, asked, right_answer(asked))
    assert LearningCard.objects.get().name.number == 47


def test_a_name_may_be_given_in_arabic_indic_digits(signed_in):
    assert question_of(signed_in.get("/learn/?name=٤٧"))["number"] == "47"


@pytest.mark.parametrize("value", ["abc", "0", "100", "-1", "4 7", "²", "1" * 40, "%00", ""])
def test_a_hostile_name_parameter_is_ignored(signed_in, value):
    response = signed_in.get("/learn/", {"name": value})
    assert response.status_code == 200
    assert question_of(response)["number"] == "1"


def test_the_day_is_the_persons_own(signed_in, user):
    """At 23:30 in Tokyo (14:30 UTC) the review and the card's introduction are on Tokyo's date."""
    user.time_zone = "Asia/Tokyo"
    user.save()
    at = datetime.datetime(2026, 12, 2, 14, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        asked = question_of(signed_in.get("/learn/"))
        answer(signed_in, asked, right_answer(asked))
    tokyo = at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    assert tokyo == datetime.date(2026, 12, 2)
    later = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC)  # 00:30 on the 3rd
    with mock.patch("django.utils.timezone.now", return_value=later):
        asked = question_of(signed_in.get("/learn/"))
        answer(signed_in, asked, right_answer(asked))
    days = sorted(LearningReview.objects.values_list("local_date", flat=True))
    assert days[0] == datetime.date(2026, 12, 2)
    assert days[-1] == datetime.date(2026, 12, 3)
    assert sorted(LearningCard.objects.values_list("introduced_on", flat=True))[0] == days[0]


def test_when_nothing_is_left_the_page_says_when_to_come_back(signed_in, user):
    LearningPreferences.objects.create(user=user, new_per_day=1)
    asked = question_of(signed_in.get("/learn/"))
    answer(signed_in, asked, "1" if asked["direction"] != "order" else right_answer(asked))
    LearningCard.objects.update(state=2, due=timezone.now() + datetime.timedelta(days=3))
    response = signed_in.get("/learn/")
    assert b"Nothing to practise right now" in response.content
    assert b"1 new name is in" in response.content
    assert b"The next comes back in 2" in response.content  # 2 days, 23 hours
    assert question_of(response)["options"] == []


def test_a_person_who_takes_no_new_names_is_told_how_to_begin(signed_in, user):
    LearningPreferences.objects.create(user=user, new_per_day=0)
    response = signed_in.get("/learn/")
    assert b"You have asked for no new names a day." in response.content


def test_the_page_costs_the_same_queries_with_few_cards_and_with_all(
    signed_in, user, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14) as few:
        signed_in.get("/learn/")
    now = timezone.now()
    LearningCard.objects.bulk_create(
        cards.new_card(user, name, direction, now.date(), now + datetime.timedelta(days=1))
        for name in DivineName.objects.all() for direction in ("arabic", "meaning", "order")
    )  # fmt: skip
    LearningCard.objects.update(stability=30.0, state=2, reviews=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get("/learn/")
    assert b"You know <strong>99 of 99</strong>" in response.content


def test_another_persons_cards_are_never_asked_or_answered(signed_in, user):
    other = UserFactory()
    typed_card(other, number=5)
    asked = question_of(signed_in.get("/learn/"))
    assert asked["number"] == "1"
    # Answering their card's question (name 5, seen 1) writes to this person's own card only.
    response = answer(signed_in, {"number": "5", "direction": "arabic", "seen": "1"}, "1")
    assert b"already answered" in response.content
    assert LearningCard.objects.get(user=other).reviews == 1
    assert not LearningCard.objects.filter(user=user).exists()


def test_the_learn_page_needs_no_account_but_the_settings_do(client):
    assert client.get("/learn/").status_code == 200
    response = client.get("/learn/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post("/learn/settings/", {"new_per_day": 5}).status_code == 302
    assert not LearningPreferences.objects.exists()


def test_wrong_methods(signed_in):
    assert signed_in.post("/learn/").status_code == 405
    assert signed_in.get("/learn/answer/").status_code == 405
    assert signed_in.put("/learn/settings/").status_code == 405
    assert signed_in.delete("/learn/recite/").status_code == 405


# Settings


def test_the_settings_choose_the_directions_and_the_new_cards_a_day(signed_in, user):
    response = signed_in.get("/learn/settings/")
    assert response.status_code == 200
    assert b'name="directions"' in response.content
    response = signed_in.post("/learn/settings/", {"directions": ["order", "meaning"],
                                                   "new_per_day": "2"})  # fmt: skip
    assert response.status_code == 302
    prefs = LearningPreferences.objects.get(user=user)
    assert prefs.directions == ["meaning", "order"]
    assert prefs.new_per_day == 2
    assert question_of(signed_in.get("/learn/"))["direction"] == "meaning"


@pytest.mark.parametrize(
    ("data", "error"),
    [({"new_per_day": "5"}, b"Choose at least one way to practise."),
     ({"directions": ["arabic"], "new_per_day": "51"}, b"less than or equal to 50"),
     ({"directions": ["arabic"], "new_per_day": "-1"}, b"greater than or equal to 0"),
     ({"directions": ["sideways"], "new_per_day": "5"}, b"Select a valid choice"),
     ({"directions": ["arabic"], "new_per_day": "<script>"}, b"Enter a whole number")],
)  # fmt: skip
def test_the_settings_refuse_bad_values(signed_in, user, data, error):
    response = signed_in.post("/learn/settings/", data)
    assert response.status_code == 200
    assert error in response.content
    assert not LearningPreferences.objects.exists()


# A visitor


def play_round(client, right=True, **extra):
    response = client.get("/learn/")
    for place in range(rounds.SIZE):
        asked = question_of(response)
        assert asked["seen"] == str(place)
        assert f"Question {place + 1} of 5".encode() in response.content
        response = answer(
            client, asked, right_answer(asked) if right else wrong_choice(asked), **extra
        )
        assert response.status_code == 200
    return response


def test_a_visitor_answers_a_round_and_nothing_is_kept(client):
    response = play_round(client)
    assert b"You answered 5 of 5" in response.content
    assert b"Another round" in response.content
    assert not LearningCard.objects.exists()
    assert not LearningReview.objects.exists()
    assert not Session.objects.exists()
    assert "sessionid" not in client.cookies


def test_a_visitors_round_with_htmx(client):
    response = play_round(client, right=False, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="round"')
    assert "You answered 0 of 5" in html


def test_a_visitors_round_asks_every_direction_and_the_order_both_ways(client):
    seen = set()
    response = client.get("/learn/")
    for _ in range(rounds.SIZE):
        html = response.content.decode()
        seen |= {h for h in ("Which name is this?", "Which name means this?", "Which is name",
                             "Which number is it in the order?") if h in html}  # fmt: skip
        asked = question_of(response)
        response = answer(client, asked, right_answer(asked))
    assert len(seen) == 4


def test_a_forged_round_is_refused(client):
    asked = question_of(client.get("/learn/"))
    found = rounds.loads(asked["round"])
    found.answers = [True] * 4  # a score the visitor did not earn
    forged = {**asked, "round": asked["round"].replace(asked["round"][:10], "x" * 10)}
    response = answer(client, forged, right_answer(asked))
    assert response.status_code == 400
    assert b"That round could not be read" in response.content
    assert rounds.loads(rounds.dumps(found)) == found


def test_a_visitor_practises_a_chosen_name_first(client):
    assert question_of(client.get("/learn/?name=33"))["number"] == "33"


def test_a_visitor_answering_with_a_tampered_place_is_shown_the_question(client):
    asked = question_of(client.get("/learn/"))
    response = answer(client, {**asked, "seen": "3"}, right_answer(asked))
    assert b"already answered" in response.content
    assert question_of(response)["seen"] == "0"


# Recite in order


def test_reciting_the_five_names_after_one(client):
    response = client.get("/learn/recite/?after=10")
    assert b'<option value="10" selected>10. Al-Mutakabbir</option>' in response.content
    given = {"after": "10", "name_1": "al khaliq", "name_2": "البارئ", "name_3": "musawwir",
             "name_4": "ghaffar", "name_5": "qahhar"}  # fmt: skip
    response = client.post("/learn/recite/", given)
    assert b"5 of 5 in order" in response.content
    response = client.post("/learn/recite/", {**given, "name_4": "ghafur", "name_5": ""}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="recital">')
    assert "3 of 5 in order" in html
    assert "You wrote “<bdi>ghafur</bdi>”" in html
    assert "You wrote nothing" in html


@pytest.mark.parametrize("after", ["95", "-1", "abc", ""])
def test_reciting_from_a_place_that_has_not_five_after_it_is_refused(client, after):
    response = client.post("/learn/recite/", {"after": after, "name_1": "x"})
    assert response.status_code == 200
    assert (
        b"Select a valid choice" in response.content
        or b"This field is required" in response.content
    )
    assert client.get("/learn/recite/", {"after": after}).status_code == 200


# Links from the rest of the site


def test_each_name_page_offers_to_practise_it(client):
    html = client.get("/names/47/").content.decode()
    assert '<a class="button button--quiet" href="/learn/?name=47">Practise this name</a>' in html


def test_the_closing_screen_adds_the_name_to_a_persons_cards(signed_in, user):
    from tests.meditation.sitting.test_views import start

    location = start(signed_in)
    entry = MeditationSession.objects.get()
    page = signed_in.get(location).content.decode()
    assert f"Add {entry.name.transliteration} to my cards" in page
    response = signed_in.post(f"{location}finish/", {"minutes": "1", "learn": "on"}, follow=True)
    assert f"{entry.name.transliteration} is in your cards".encode() in response.content
    added = LearningCard.objects.filter(user=user)
    assert {c.name_id for c in added} == {entry.name_id}
    assert sorted(c.direction for c in added) == ["arabic", "meaning", "order"]
    assert question_of(signed_in.get("/learn/"))["number"] == str(entry.name.number)  # first


def test_finishing_without_the_box_adds_no_card(signed_in):
    from tests.meditation.sitting.test_views import start

    location = start(signed_in)
    signed_in.post(f"{location}finish/", {"minutes": "1"})
    assert MeditationSession.objects.get().finished
    assert not LearningCard.objects.exists()


def test_a_visitors_closing_screen_offers_practice_and_no_cards(client):
    from tests.meditation.sitting.test_views import start

    location = start(client)
    assert "to my cards" not in client.get(location).content.decode()
    response = client.post(f"{location}finish/", {"minutes": "1", "learn": "on"})
    html = response.content.decode()
    assert 'href="/learn/?name=' in html
    assert not LearningCard.objects.exists()
