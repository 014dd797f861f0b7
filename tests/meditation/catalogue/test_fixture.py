"""The fixture is the source of truth for the 99 names: its integrity is checked here."""

import json
import unicodedata

import pytest

from meditation.catalogue.fixture import FIXTURE_PATH, read_fixture
from meditation.text import AYAHS_PER_SURAH, is_arabic_script

ARABIC_FIELDS = ("arabic", "verse_arabic", "dhikr_arabic")


@pytest.fixture(scope="module")
def entries():
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))["names"]


def test_it_holds_99_unique_numbers_in_order(entries):
    assert [e["number"] for e in entries] == list(range(1, 100))


def test_it_has_unique_slugs(entries):
    assert len({e["slug"] for e in entries}) == 99


@pytest.mark.parametrize("field", ["arabic", "transliteration", "meaning", "description", "tawil"])
def test_it_has_no_empty_core_field(entries, field):
    assert [e["number"] for e in entries if not e[field].strip()] == []


def test_it_has_dhikr_pronunciation_and_phonetics_for_every_name(entries):
    for e in entries:
        assert e["dhikr"].startswith("Yā "), e["number"]
        assert e["pronunciation"], e["number"]
        assert e["phonetics"].startswith("/"), e["number"]
        assert e["phonetics"].endswith("/"), e["number"]


@pytest.mark.parametrize("field", ARABIC_FIELDS)
def test_it_writes_every_arabic_field_in_arabic_script(entries, field):
    bad = [e["number"] for e in entries if e[field] and not is_arabic_script(e[field])]
    assert bad == []


def test_it_stores_arabic_in_nfc(entries):
    for e in entries:
        assert unicodedata.normalize("NFC", e["arabic"]) == e["arabic"], e["number"]


def test_it_carries_harakat_on_every_name(entries):
    harakat = {chr(c) for c in range(0x064B, 0x0653)}
    assert [e["number"] for e in entries if not harakat & set(e["arabic"])] == []


def test_it_starts_with_ar_rahman_as_in_the_tirmidhi_order(entries):
    first, last = entries[0], entries[-1]
    assert first["arabic"] == "الرَّحْمَٰنُ"
    assert first["transliteration"] == "Ar-Raḥmān"
    assert last["transliteration"] == "Aṣ-Ṣabūr"


def test_it_gives_valid_structured_references(entries):
    for e in entries:
        for ref in e["quran_references"]:
            assert set(ref) == {"surah", "ayah"}
            assert 1 <= ref["ayah"] <= AYAHS_PER_SURAH[ref["surah"] - 1], e["number"]


def test_it_shows_a_verse_with_its_translation_whenever_there_is_a_reference(entries):
    for e in entries:
        assert bool(e["quran_references"]) == bool(e["verse_arabic"]), e["number"]
        assert bool(e["verse_arabic"]) == bool(e["verse_translation"]), e["number"]


def test_it_gives_every_name_its_dhikr_in_arabic_by_the_vocative_rule(entries):
    """The vocative "yā" and the name without its article, or in the accusative for the two names in
    construct (scripts/fill_dhikr_arabic.py); its letters are the name's."""
    from scripts.fill_dhikr_arabic import IN_CONSTRUCT, vocative

    def letters(text):
        return "".join(c for c in text if not unicodedata.combining(c) and c != " ")

    for e in entries:
        assert e["dhikr_arabic"].startswith("يَا "), e["number"]
        expected = IN_CONSTRUCT.get(e["number"]) or vocative(e["arabic"])
        assert e["dhikr_arabic"] == expected, e["number"]
        bare = letters(e["arabic"]).removeprefix("ال")
        assert letters(e["dhikr_arabic"]).removeprefix("يا") in {bare, "ذاالجلالوالإكرام"}
    assert vocative("الرَّحْمَٰنُ") == "يَا رَحْمَٰنُ"  # a sun letter: the shadda goes
    assert vocative("الْقُدُّوسُ") == "يَا قُدُّوسُ"  # a moon letter: the sukun goes
    assert vocative("اللَّطِيفُ") == "يَا لَطِيفُ"


def test_it_passes_model_validation():
    assert len(read_fixture()) == 99


def test_it_gives_every_name_its_own_meaning(entries):
    by_meaning = {}
    for e in entries:
        by_meaning.setdefault(e["meaning"].casefold().strip(), []).append(e["number"])
    assert [numbers for numbers in by_meaning.values() if len(numbers) > 1] == []


def test_it_distinguishes_the_names_that_shared_the_withholder(entries):
    meanings = {e["number"]: e["meaning"] for e in entries}
    assert (meanings[20], meanings[90]) == ("The Constrictor", "The Preventer")
