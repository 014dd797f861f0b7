"""/learn/ in Turkish and Arabic (issue 17): the meanings a question, its options, the feedback
and a round's results show are in the page's language, English where a translation lacks
them (marked lang="en"); the learning itself is the same in every language (the options
chosen, the answers checked, the cards kept) and costs one query more, not one a name."""

from unittest import mock

import pytest
from django.utils.html import escape

from meditation.learn import rounds
from meditation.models import DivineName, LearningCard, LearningPreferences, NameTranslation

from .test_views import HTMX, question_of, right_answer, wrong_choice

pytestmark = pytest.mark.django_db
SEED = "0123456789abcdef"
NUMBERS = [1, 2, 3, 4, 5]  # the fixed round: name 1 asked first, by its Arabic
TURKISH_MEANING = "Çok merhametli, bütün varlıkları esirgeyen"  # name 1's, in the fixture


@pytest.fixture
def fixed_round():
    """Every new round of a visitor is the same one: names 1 to 5, one seed."""
    with mock.patch.object(rounds, "new_round", side_effect=lambda first=None: fixed()):
        yield


def fixed() -> rounds.Round:
    return rounds.Round(SEED, list(NUMBERS), [])


def answer(client, prefix, asked, given, **extra):
    data = {k: asked[k] for k in ("number", "direction", "seen", "round") if k in asked}
    return client.post(f"{prefix}/learn/answer/", {**data, "answer": given}, **extra)


def meaning(number: int, language: str = "en") -> str:
    if language == "en":
        return DivineName.objects.get(number=number).meaning
    return NameTranslation.objects.get(name__number=number, language=language).meaning


def shows(response, text: str) -> bool:
    return escape(text) in response.content.decode()


def english_marked(response, text: str) -> bool:
    return f'lang="en">{escape(text)}<' in response.content.decode()


def round_of(response) -> str:
    """The round's markup: the question, its feedback, the results (not the page's frame)."""
    return response.content.decode().split('<section id="round"')[1].split("</section>")[0]


def prompt_of(response) -> str:
    """A "meaning → name" question's prompt: its attributes after the class, and its text."""
    return round_of(response).split('learn-question__prompt--words"')[1].split("</p>")[0]


# A visitor's round


def test_a_visitors_round_shows_the_meanings_in_turkish(client, fixed_round):
    english = client.get("/learn/")
    turkish = client.get("/tr/learn/")
    assert shows(english, "The Most Compassionate")
    assert not shows(turkish, "The Most Compassionate")
    assert shows(turkish, TURKISH_MEANING)
    assert meaning(1, "tr") == TURKISH_MEANING
    for number in question_of(turkish)["options"]:  # the Arabic asked: options with meanings
        assert shows(turkish, meaning(number, "tr"))
        assert not shows(turkish, meaning(number))
    assert 'lang="en"' not in round_of(turkish)  # every meaning translated


def test_a_visitors_round_shows_the_meanings_in_arabic(client, fixed_round):
    arabic = client.get("/ar/learn/")
    for number in question_of(arabic)["options"]:
        assert shows(arabic, meaning(number, "ar"))
        assert not shows(arabic, meaning(number))


def test_the_feedback_and_the_next_question_are_in_turkish(client, fixed_round):
    asked = question_of(client.get("/tr/learn/"))
    chosen = int(wrong_choice(asked))
    response = answer(client, "/tr", asked, str(chosen), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="round"')
    feedback = html.split('id="feedback"')[1].split("</div>")[0]
    assert escape(TURKISH_MEANING) in feedback  # the right answer, with its meaning
    assert escape(meaning(chosen, "tr")) in feedback  # the option chosen
    assert escape(meaning(1)) not in feedback
    # The next question, name 2's meaning: asked in Turkish.
    after = question_of(response)
    assert (after["number"], after["direction"]) == ("2", "meaning")
    assert prompt_of(response) == f">{escape(meaning(2, 'tr'))}"


def test_the_results_of_a_round_are_in_turkish(client, fixed_round):
    response = client.get("/tr/learn/")
    for _ in range(rounds.SIZE):
        asked = question_of(response)
        response = answer(client, "/tr", asked, right_answer(asked))
    results = response.content.decode().split('class="learn-results"')[1].split("</ul>")[0]
    for number in NUMBERS:
        assert escape(meaning(number, "tr")) in results
        assert escape(meaning(number)) not in results


def test_a_meaning_not_translated_is_shown_in_english_and_marked(client, fixed_round):
    NameTranslation.objects.filter(name__number=1, language="tr").update(meaning="")
    NameTranslation.objects.filter(name__number=2, language="tr").delete()
    response = client.get("/tr/learn/")
    assert english_marked(response, "The Most Compassionate")
    assert not shows(response, TURKISH_MEANING)
    for number in question_of(response)["options"]:
        if number == 2:  # no translation at all
            assert english_marked(response, meaning(2))
        elif number != 1:  # translated: neither English nor marked
            assert shows(response, meaning(number, "tr"))
            assert not shows(response, meaning(number))
    # The feedback names the right answer in English, marked, inside its translated sentence;
    # the next question (name 2, no translation at all) asks its English meaning, marked.
    asked = question_of(response)
    response = answer(client, "/tr", asked, wrong_choice(asked))
    feedback = response.content.decode().split('id="feedback"')[1].split("</div>")[0]
    assert f'<span lang="en">{escape(meaning(1))}</span>' in feedback
    assert prompt_of(response) == f' lang="en">{escape(meaning(2))}'


def test_a_meaning_blank_in_arabic_is_shown_in_english_and_marked(client, fixed_round):
    NameTranslation.objects.filter(name__number=1, language="ar").update(meaning="")
    response = client.get("/ar/learn/")
    assert english_marked(response, "The Most Compassionate")


def test_the_options_are_the_same_in_every_language(client, fixed_round):
    """The distractors come from the English meanings: one seed, one round, in any language."""
    played = {}
    for prefix in ("", "/tr", "/ar"):
        response = client.get(f"{prefix}/learn/")
        steps = []
        for _ in range(rounds.SIZE):
            asked = question_of(response)
            steps.append((asked["number"], asked["direction"], asked["options"]))
            given = wrong_choice(asked) if len(steps) % 2 else right_answer(asked)
            response = answer(client, prefix, asked, given)
            assert response.status_code == 200
        played[prefix] = (steps, response.content.count(b"\xe2\x9c\x93"))  # the ✓ of results
    assert played[""] == played["/tr"] == played["/ar"]
    assert all(len(options) == 4 for _n, _d, options in played[""][0])


# A person


def test_a_persons_card_is_asked_in_turkish(signed_in, user):
    english = signed_in.get("/learn/")
    turkish = signed_in.get("/tr/learn/")
    assert question_of(turkish) == question_of(english)  # the same card, the same options
    assert shows(english, "The Most Compassionate")
    assert shows(turkish, TURKISH_MEANING)
    assert not shows(turkish, "The Most Compassionate")
    for number in question_of(turkish)["options"]:
        assert shows(turkish, meaning(number, "tr"))


def test_a_persons_meaning_card_prompts_in_arabic_and_is_answered_there(signed_in, user):
    LearningPreferences.objects.create(user=user, directions=["meaning"])
    response = signed_in.get("/ar/learn/")
    asked = question_of(response)
    assert (asked["number"], asked["direction"]) == ("1", "meaning")
    assert prompt_of(response) == f">{escape(meaning(1, 'ar'))}"
    response = answer(signed_in, "/ar", asked, right_answer(asked))
    assert response.status_code == 200
    card = LearningCard.objects.get(user=user, name__number=1, direction="meaning")
    assert card.reviews == 1
    assert isinstance(card.name, DivineName)


def test_a_persons_wrong_answer_is_told_in_turkish(signed_in, user):
    asked = question_of(signed_in.get("/tr/learn/"))
    chosen = int(wrong_choice(asked))
    response = answer(signed_in, "/tr", asked, str(chosen))
    feedback = response.content.decode().split('id="feedback"')[1].split("</div>")[0]
    assert escape(TURKISH_MEANING) in feedback
    assert escape(meaning(chosen, "tr")) in feedback
    assert LearningCard.objects.get(user=user, name__number=1).reviews == 1


# What it costs


def counted(assert_max, request, most=60):
    with assert_max(most) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_a_visitors_question_costs_one_query_more_in_another_language(
    client, fixed_round, django_assert_max_num_queries
):
    for prefix in ("", "/tr"):  # warm
        client.get(f"{prefix}/learn/")
    english = counted(django_assert_max_num_queries, lambda: client.get("/learn/"))
    turkish = counted(django_assert_max_num_queries, lambda: client.get("/tr/learn/"))
    assert turkish <= english + 1
    asked = question_of(client.get("/learn/"))
    english = counted(
        django_assert_max_num_queries,
        lambda: answer(client, "", asked, wrong_choice(asked)),
    )
    turkish = counted(
        django_assert_max_num_queries,
        lambda: answer(client, "/tr", asked, wrong_choice(asked)),
    )
    assert turkish <= english + 1  # the feedback's names and the next question's: one query


def test_a_persons_question_costs_one_query_more_in_another_language(
    signed_in, user, django_assert_max_num_queries
):
    for prefix in ("", "/tr"):
        signed_in.get(f"{prefix}/learn/")
    english = counted(django_assert_max_num_queries, lambda: signed_in.get("/learn/"))
    turkish = counted(django_assert_max_num_queries, lambda: signed_in.get("/tr/learn/"))
    assert turkish <= english + 1
