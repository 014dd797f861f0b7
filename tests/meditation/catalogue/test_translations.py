"""The names in Turkish and Arabic (issue 17): loaded from their fixtures, shown in the page's
language, English where a translation is missing (marked lang="en" and said), found by the
search in every language, and cached per language. Through the real URLs."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from meditation.catalogue import fixture, translations
from meditation.models import DivineName, NameTranslation
from tests import ROOT

pytestmark = pytest.mark.django_db


def entries(language: str) -> dict[int, dict]:
    data = json.loads((ROOT / "fixtures" / f"divine_names.{language}.json").read_text())
    return {entry["number"]: entry for entry in data["names"]}


TR, AR = entries("tr"), entries("ar")


def text(response) -> str:
    return response.content.decode()


class TestTheFixtures:
    @pytest.mark.parametrize(("language", "entries"), [("tr", TR), ("ar", AR)])
    def test_each_language_has_all_99_with_its_meaning_and_description(self, language, entries):
        assert sorted(entries) == list(range(1, 100))
        for number, entry in entries.items():
            assert entry["meaning"].strip(), (language, number)
            assert entry["description"].strip(), (language, number)

    def test_turkish_has_the_commentary_the_dhikr_in_turkish_spelling_and_the_verse(self):
        for number, entry in TR.items():
            assert entry["tawil"].strip(), number
            assert entry["dhikr"].startswith("Yâ "), number
        names = {n.number: n for n in DivineName.objects.all()}
        with_verse = [n for n in TR if names[n].quran_references]
        assert all(TR[n]["verse_translation"] for n in with_verse)
        assert TR[1]["dhikr"] == "Yâ Rahmân"

    def test_arabic_is_in_arabic_script(self):
        for number, entry in AR.items():
            assert not re.search(r"[A-Za-z]", entry["meaning"] + entry["description"]), number
            assert entry["verse_translation"] == ""  # the verse is the Qurʾān's own Arabic

    def test_load_names_adds_them_once_and_never_overwrites_a_curators_edit(self):
        assert NameTranslation.objects.count() == 2 * 99  # the suite's database ran it
        NameTranslation.objects.filter(name__number=5, language="tr").update(meaning="Düzeltildi")
        NameTranslation.objects.filter(name__number=6, language="ar").delete()
        call_command("load_names", verbosity=0)
        assert NameTranslation.objects.count() == 2 * 99
        assert NameTranslation.objects.get(name__number=5, language="tr").meaning == "Düzeltildi"
        assert (
            NameTranslation.objects.get(name__number=6, language="ar").meaning == AR[6]["meaning"]
        )

    def test_a_fixture_of_another_language_is_refused(self, tmp_path):
        wrong = tmp_path / "divine_names.tr.json"
        wrong.write_text(json.dumps({"schema": 1, "language": "ar", "names": []}))
        with pytest.raises(ValueError, match="not a schema 1 fixture of 'tr'"):
            fixture.load_missing_translations("tr", wrong)


class TestTheNamesPage:
    def test_turkish_shows_the_names_words_in_turkish_with_diyanets_verse(self, client):
        body = text(client.get("/tr/names/1/"))
        for field in ("meaning", "description", "dhikr", "verse_translation"):
            assert TR[1][field] in body.replace("&#x27;", "'"), field
        assert TR[1]["tawil"].split(".")[0] in body.replace("&#x27;", "'")
        assert "Diyanet" in body
        assert "Saheeh International" not in body
        assert ' lang="en"' not in body.split("<main")[1].split("</main>")[0]  # nothing falls back
        assert "translation-note" not in body

    def test_arabic_shows_its_words_and_marks_the_english_commentary(self, client):
        name = DivineName.objects.get(number=1)
        body = text(client.get("/ar/names/1/"))
        assert AR[1]["meaning"] in body
        assert AR[1]["description"] in body
        # The commentary is not translated yet: the English, marked as such.
        assert re.search(r'<div class="tawil__text" lang="en">', body)
        assert name.tawil.split(".")[0].replace("'", "&#x27;") in body
        assert 'class="translation-note"' in body
        assert name.verse_translation not in body  # no translation of the Qurʾān's Arabic

    def test_a_missing_translation_falls_back_to_english_marked(self, client):
        NameTranslation.objects.filter(name__number=3, language="tr").update(meaning="")
        name = DivineName.objects.get(number=3)
        body = text(client.get("/tr/names/3/"))
        assert f'<p class="name__meaning" lang="en">{name.meaning}</p>' in body
        assert 'class="translation-note"' in body
        assert TR[3]["description"] in body.replace("&#x27;", "'")

    def test_english_is_unchanged(self, client):
        name = DivineName.objects.get(number=1)
        body = text(client.get("/names/1/"))
        assert f'<p class="name__meaning">{name.meaning}</p>' in body
        assert TR[1]["meaning"] not in body
        assert "translation-note" not in body

    def test_the_grid_and_the_home_page_speak_the_language(self, client):
        assert TR[7]["meaning"] in text(client.get("/tr/names/"))
        assert AR[7]["meaning"] in text(client.get("/ar/names/"))
        home = text(client.get("/tr/"))
        assert any(TR[n]["meaning"] in home for n in TR)

    def test_the_grid_reads_the_translations_in_one_query(self, client):
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = {}
        for prefix in ("", "/tr"):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(f"{prefix}/names/?q=x")
            counts[prefix] = len(queries)
        assert counts["/tr"] == counts[""]  # the search reads them in every language anyway
        cache.clear()
        with CaptureQueriesContext(connection) as english:
            client.get("/names/")
        cache.clear()
        with CaptureQueriesContext(connection) as turkish:
            client.get("/tr/names/")
        assert len(turkish) == len(english) + 1

    def test_a_translations_edit_moves_the_stored_pages(self, client):
        client.get("/tr/names/1/")
        translation = NameTranslation.objects.get(name__number=1, language="tr")
        translation.meaning = "Yeni anlam"
        translation.save()
        assert "Yeni anlam" in text(client.get("/tr/names/1/"))
        assert "Yeni anlam" in text(client.get("/tr/names/"))


class TestSearchInEveryLanguage:
    @pytest.mark.parametrize("query", ["Merhametli", "merhametli", "MERHAMETLİ", "MERHAMETLI",
                                       "esirgeyen", "Yâ Rahmân"])  # fmt: skip
    @pytest.mark.parametrize("prefix", ["", "/tr", "/ar"])
    def test_turkish_words_find_ar_rahman_on_every_page(self, client, query, prefix):
        body = text(client.get(f"{prefix}/names/", {"q": query}))
        assert 'href="' + prefix + '/names/1/"' in body

    def test_arabic_meanings_are_searched_too(self, client):
        body = text(client.get("/names/", {"q": "وسعت"}))
        assert 'href="/names/1/"' in body

    def test_a_search_without_the_translations_before_does_not_hide_them(self, client):
        """The search keeps each name's texts: those made without its translations (the
        command's names, any caller that did not read them) are not the ones with them."""
        from meditation.catalogue.search import search

        assert search(list(DivineName.objects.all()), "merhametli") == []
        assert 'href="/names/1/"' in text(client.get("/names/", {"q": "merhametli"}))

    def test_the_api_searches_every_language(self, client):
        found = client.get("/api/names/", {"q": "merhametli"}).json()
        assert 1 in [n["number"] for n in found["results"]]


class TestLocalized:
    def test_english_is_the_name_itself(self):
        name = DivineName.objects.get(number=1)
        assert translations.localized(name, "en") is name

    def test_other_fields_come_from_the_name(self):
        name = DivineName.objects.get(number=9)
        local = translations.localized(name, "tr")
        assert (local.number, local.arabic, local.get_absolute_url()) == (
            9,
            name.arabic,
            "/names/9/",
        )
        assert local.meaning == TR[9]["meaning"]
        assert local.contemplation_line.startswith(TR[9]["tawil"][:20])
        assert local == name

    def test_many_names_in_one_query(self, django_assert_num_queries):
        names = list(DivineName.objects.all())
        with django_assert_num_queries(1):
            local = translations.localize(names, "ar")
        assert [n.meaning for n in local[:2]] == [AR[1]["meaning"], AR[2]["meaning"]]
        carried = translations.with_translations(names)
        with django_assert_num_queries(0):
            assert translations.localize(carried, "tr")[0].meaning == TR[1]["meaning"]
