import re

import pytest

from meditation.catalogue.search import search
from meditation.models import DivineName

pytestmark = pytest.mark.django_db


def numbers(response):
    """The numbers of the name cards the page shows (its markup may come from the cache)."""
    html = response.content.decode()
    return [int(n) for n in re.findall(r'<span class="name-card__number">(\d+)</span>', html)]


@pytest.mark.parametrize(
    "query",
    ["rahman", "Raḥmān", "RAHMAN", "ar-rahman", "ar rahman", "arrahman", "رحمن", "الرحمن",
     "الرَّحْمَٰنُ", "ٱلرَّحْمَٰن", "رحمان"],
)  # fmt: skip
def test_it_finds_ar_rahman_however_it_is_written(client, query):
    assert 1 in numbers(client.get("/names/", {"q": query}))


def test_it_lists_names_by_meaning_before_names_whose_other_words_match(client):
    found = numbers(client.get("/names/", {"q": "merciful"}))
    assert 2 in found
    meanings = dict(DivineName.objects.values_list("number", "meaning"))
    by_meaning = [n for n in found if "merciful" in meanings[n].lower()]
    assert by_meaning
    assert found[: len(by_meaning)] == by_meaning


@pytest.mark.parametrize(
    ("query", "number"),
    [("mercy", 1), ("Rahmaan", 1), ("rahmaan", 1), ("raman", 1), ("sabour", 99),
     ("saboor", 99), ("raheem", 2), ("Ya Rahman", 1), ("يا رحمن", 1), ("يا صبور", 99)],
)  # fmt: skip
def test_it_finds_a_name_by_its_common_spellings_and_words(client, query, number):
    assert number in numbers(client.get("/names/", {"q": query}))


def test_a_spelling_of_the_name_comes_before_words_of_other_names(client):
    assert numbers(client.get("/names/", {"q": "rahmaan"}))[0] == 1
    assert numbers(client.get("/names/", {"q": "sabour"}))[0] == 99


@pytest.mark.parametrize("query", ["allah", "Allah", "الله", "ٱللَّه"])
def test_it_finds_the_names_whose_verse_names_allah(client, query):
    found = numbers(client.get("/names/", {"q": query}))
    assert len(found) > 20


def test_a_word_matches_the_start_of_a_word_of_the_description_not_its_middle(client):
    description_only = numbers(client.get("/names/", {"q": "ercy"}))
    assert 1 not in description_only


def test_an_edit_to_a_description_is_searched_at_once(client):
    name = DivineName.objects.get(number=7)
    name.description = name.description + " A word nobody else has: zephyrine."
    name.save()
    assert numbers(client.get("/names/", {"q": "zephyrine"})) == [7]


def test_an_arabic_query_reads_in_its_own_direction(client):
    html = client.get("/names/", {"q": "رحمن"}).content.decode()
    assert "Names matching “<bdi>رحمن</bdi>”: 1 of 99." in html
    assert 'dir="auto"' in html


@pytest.mark.parametrize(("query", "number"), [("1", 1), ("99", 99), ("42", 42), ("٤٢", 42)])
def test_it_finds_by_number(client, query, number):
    assert numbers(client.get("/names/", {"q": query})) == [number]


def test_it_ignores_ayn_and_hamza_marks(client):
    assert 8 in numbers(client.get("/names/", {"q": "aziz"}))  # Al-ʿAzīz
    assert 6 in numbers(client.get("/names/", {"q": "mumin"}))  # Al-Muʾmin
    assert 12 in numbers(client.get("/names/", {"q": "Al-Bari'"}))  # Al-Bāriʾ


def test_it_ignores_arabic_letter_variants(client):
    # الْأَحَدُ (67) is found with a bare alif; الصَّمَدُ with or without harakat.
    assert 67 in numbers(client.get("/names/", {"q": "الاحد"}))
    assert 68 in numbers(client.get("/names/", {"q": "الصمد"}))
    assert 68 in numbers(client.get("/names/", {"q": "الصَّمَد"}))


def test_it_requires_every_word_to_match(client):
    found = numbers(client.get("/names/", {"q": "majesty honor"}))
    assert found[0] == 85
    assert numbers(client.get("/names/", {"q": "majesty qwertyuiop"})) == []


def test_it_says_so_when_nothing_matches(client):
    response = client.get("/names/", {"q": "qwertyuiop"})
    assert numbers(response) == []
    assert "No name matches “<bdi>qwertyuiop</bdi>”" in response.content.decode()


def test_it_keeps_numbers_out_of_range_from_matching(client):
    assert numbers(client.get("/names/", {"q": "100"})) == []
    assert numbers(client.get("/names/", {"q": "0"})) == []


def test_it_rejects_an_overlong_query_with_a_message(client):
    response = client.get("/names/", {"q": "a" * 101})
    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert numbers(response) == []


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "\x00", "%", "' OR 1=1 --"])
def test_it_handles_hostile_input_safely(client, query):
    response = client.get("/names/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_it_returns_only_the_fragment_to_htmx(client):
    response = client.get("/names/", {"q": "rahman"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "Ar-Raḥmān" in html
    assert "HX-Request" in response["Vary"]


def test_it_returns_the_whole_page_without_htmx_with_the_same_results(client):
    full = client.get("/names/", {"q": "rahman"})
    fragment = client.get("/names/", {"q": "rahman"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    assert numbers(full) == numbers(fragment)
    assert numbers(full)[0] == 1
    assert "HX-Request" in full["Vary"]


def test_it_returns_the_whole_page_for_an_htmx_history_restore(client):
    response = client.get(
        "/names/", {"q": "rahman"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_it_keeps_the_query_in_the_search_box(client):
    html = client.get("/names/", {"q": "light"}).content.decode()
    assert 'value="light"' in html
    assert 93 in [n.number for n in search(DivineName.objects.all(), "light")]


@pytest.mark.parametrize(
    "query",
    ["'", "-", "ʿ", "ʾ", "\u064e", "\u0651\u064f", "ـ", "_", "|", ".", "' - ʿ", "’", "«»"],
    ids=["apostrophe", "hyphen", "ayn", "hamza", "fatha", "shadda-damma", "tatweel",
         "underscore", "bar", "full-stop", "several", "right-quote", "guillemets"],
)  # fmt: skip
def test_it_matches_nothing_when_the_query_has_nothing_to_search_for(client, query):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get("/names/", {"q": query}, **headers)
        assert response.status_code == 200
        assert numbers(response) == []
        page = response.content.decode()
        assert "has no letters or digits to search for" in page
        assert "Names matching" not in page


@pytest.mark.parametrize("query", ["", "  ", "\u3000"])
def test_it_lists_every_name_for_an_empty_query(client, query):
    response = client.get("/names/", {"q": query})
    assert len(numbers(response)) == 99
    assert "All 99 names." in response.content.decode()


def test_it_ignores_punctuation_beside_real_words(client):
    assert numbers(client.get("/names/", {"q": "' rahman -"})) == numbers(
        client.get("/names/", {"q": "rahman"})
    )
    assert numbers(client.get("/names/", {"q": "| merciful"})) == numbers(
        client.get("/names/", {"q": "merciful"})
    )
