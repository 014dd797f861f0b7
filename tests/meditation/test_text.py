import pytest
from django.core.exceptions import ValidationError

from meditation.text import (
    arabic_search_forms,
    fold,
    format_references,
    is_arabic_script,
    parse_references,
    validate_quran_references,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ar-Raḥmān", "ar rahman"),
        ("Al-ʿAzīz", "al aziz"),
        ("Al-Muʾmin", "al mumin"),
        ("الرَّحْمَٰنُ", "الرحمن"),
        ("ٱلرَّحۡمَٰنِ", "الرحمن"),
        ("أحد إله آخر", "احد اله اخر"),
        ("هدى رحمة", "هدي رحمه"),
        ("  many   spaces ", "many spaces"),
        # Turkish casing: I and ı, İ and i are one letter to a search.
        ("IŞIK ışık Işık", "isik isik isik"),
        ("İSTANBUL İstanbul istanbul", "istanbul istanbul istanbul"),
        ("SABIR sabır", "sabir sabir"),
    ],
)
def test_it_folds_marks_and_letter_variants(text, folded):
    assert fold(text) == folded


def test_it_offers_both_spellings_of_a_dagger_alif():
    assert arabic_search_forms("الرَّحْمَٰنُ") == {"الرحمن", "الرحمان"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("الرَّحْمَٰنُ", True), ("ذُو الْجَلَالِ وَالْإِكْرَامِ", True), ("Rahman", False),
     ("الرحمن x", False), ("123", False), ("", False)],
)  # fmt: skip
def test_it_recognises_arabic_script(text, expected):
    assert is_arabic_script(text) is expected


def test_it_parses_and_formats_references():
    refs = parse_references(" 1:3 ; 59:22;")
    assert refs == [{"surah": 1, "ayah": 3}, {"surah": 59, "ayah": 22}]
    assert format_references(refs) == "1:3; 59:22"
    assert parse_references("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("115:1", "does not exist"), ("1:8", "has 7 verses"), ("2-255", "not a reference"),
     ("0:1", "does not exist"), ("1:0", "out of range")],
)  # fmt: skip
def test_it_rejects_bad_references(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_references(text)


@pytest.mark.parametrize(
    "value",
    ["1:3", [{"surah": 1}], [{"surah": "1", "ayah": 3}], [{"surah": True, "ayah": 1}],
     [{"surah": 1, "ayah": 300}]],
)  # fmt: skip
def test_it_validates_stored_references(value):
    with pytest.raises(ValidationError):
        validate_quran_references(value)
