"""Every text rule of the app, each named by its policy.

- Folding for search (`fold`, `arabic_search_forms`): diacritics, harakat and letter variants
  never get in the way of a match.
- Cleaning what people write: `one_line` (intentions: no markup, no control characters, one
  line) and `paragraphs` (reflections: line breaks and tabs kept, other controls dropped).
- `has_control_characters`: the catalogue refuses them outright (NUL breaks Postgres).
- Spreadsheet formulas in CSV cells: `neutralise_formula` / `restore_formula`.
- The Arabic-script check and Qurʾān references (`S:A`, checked against verse counts).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

# Verses per surah, in order (the standard Ḥafṣ count, 6,236 in all).
AYAHS_PER_SURAH: tuple[int, ...] = (
    7, 286, 200, 176, 120, 165, 206, 75, 129, 109, 123, 111, 43, 52, 99, 128, 111, 110, 98, 135,
    112, 78, 118, 64, 77, 227, 93, 88, 69, 60, 34, 30, 73, 54, 45, 83, 182, 88, 75, 85,
    54, 53, 89, 59, 37, 35, 38, 29, 18, 45, 60, 49, 62, 55, 78, 96, 29, 22, 24, 13,
    14, 11, 11, 18, 12, 12, 30, 52, 52, 44, 28, 28, 20, 56, 40, 31, 50, 40, 46, 42,
    29, 19, 36, 25, 22, 17, 19, 26, 30, 20, 15, 21, 11, 8, 8, 19, 5, 8, 8, 11,
    11, 8, 3, 9, 5, 4, 7, 3, 6, 3, 5, 4, 5, 6,
)  # fmt: skip

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
DAGGER_ALIF = "\u0670"
TATWEEL = "\u0640"
# Letter variants that a searcher should not have to type exactly. Hamza-carrying alifs
# (أ إ آ) and ؤ ئ lose their hamza/madda through NFKD + dropping combining marks.
_FOLD_MAP = str.maketrans(
    {
        "\u0671": "\u0627",  # ٱ alif waṣla -> ا
        "\u0649": "\u064a",  # ى alif maqṣūra -> ي
        "\u0629": "\u0647",  # ة tāʾ marbūṭa -> ه
        TATWEEL: None,
        # Turkish casing: dotless ı is i's lower case where I is ("IŞIK", "ışık" and "isik"
        # agree); İ loses its dot through NFKD. So a search never depends on the casing rules
        # of the language it was typed in.
        "\u0131": "i",
        # Transliteration marks for ʿayn and hamza, and the apostrophes people type instead.
        "\u02bf": None,  # ʿ
        "\u02be": None,  # ʾ
        "\u02bb": None,  # ʻ
        "\u2018": None,
        "\u2019": None,
        "'": None,
        "`": None,
        "-": " ",
        "_": " ",
    }
)
_SPACES = re.compile(r"\s+")
_REFERENCE = re.compile(r"^\s*(\d{1,3})\s*:\s*(\d{1,3})\s*$")


def fold(text: str) -> str:
    """Fold text for matching: no diacritics, harakat or letter variants, lower case.

    "Ar-Raḥmān", "ar rahman" and "الرحمن" fold to forms that compare equal to the
    catalogue's folded fields whatever marks either side carries.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    # Harakat, Qurʾānic annotation signs and the superscript alif are all nonspacing marks.
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.translate(_FOLD_MAP)).strip().casefold()


def search_terms(query: str) -> list[str]:
    """The query's folded words that can match: a word with no letter or digit cannot, so
    `'`, `-` or a lone harakah search for nothing rather than match everything."""
    return [word for word in fold(query).split() if any(ch.isalnum() for ch in word)]


def arabic_search_forms(arabic: str) -> set[str]:
    """The folded forms of an Arabic name: with its dagger alif dropped and written out.

    الرَّحْمَٰنُ is found by "رحمن" (as usually written) and by "رحمان" (spelled out).
    """
    return {fold(arabic), fold(arabic.replace(DAGGER_ALIF, "\u0627"))}


def _is_arabic_char(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _ARABIC_RANGES)


def is_arabic_script(text: str) -> bool:
    """True when the text has Arabic letters and no letters of any other script."""
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    return bool(letters) and all(_is_arabic_char(ch) for ch in letters)


def validate_arabic_script(value: str) -> None:
    if not is_arabic_script(value):
        raise ValidationError("Must be written in Arabic script.", code="not_arabic")


ARABIC_SCRIPT_VALIDATOR = validate_arabic_script


def check_reference(surah: int, ayah: int) -> None:
    if not 1 <= surah <= len(AYAHS_PER_SURAH):
        raise ValidationError(f"Surah {surah} does not exist (1–114).", code="bad_surah")
    if not 1 <= ayah <= AYAHS_PER_SURAH[surah - 1]:
        raise ValidationError(
            f"Surah {surah} has {AYAHS_PER_SURAH[surah - 1]} verses; {ayah} is out of range.",
            code="bad_ayah",
        )


def parse_references(text: str) -> list[dict[str, int]]:
    """Parse "2:163; 59:22" into [{"surah": 2, "ayah": 163}, {"surah": 59, "ayah": 22}]."""
    references = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _REFERENCE.match(part)
        if not match:
            raise ValidationError(
                f"“{part}” is not a reference of the form surah:ayah, e.g. 59:22.",
                code="bad_reference",
            )
        surah, ayah = int(match[1]), int(match[2])
        check_reference(surah, ayah)
        references.append({"surah": surah, "ayah": ayah})
    return references


def format_references(references: list[dict[str, int]]) -> str:
    return "; ".join(f"{ref['surah']}:{ref['ayah']}" for ref in references)


def validate_quran_references(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("References must be a list.", code="bad_reference")
    for ref in value:
        if not (
            isinstance(ref, dict)
            and set(ref) == {"surah", "ayah"}
            and all(isinstance(ref[k], int) and not isinstance(ref[k], bool) for k in ref)
        ):
            raise ValidationError(
                'Each reference must be {"surah": number, "ayah": number}.', code="bad_reference"
            )
        check_reference(ref["surah"], ref["ayah"])


# --- What people write ---------------------------------------------------------------------

_KEPT_CONTROLS = {"\n", "\t"}
_CATALOGUE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(raw: str) -> tuple[str, bool]:
    """One line of plain text: HTML tags and control characters removed, spacing collapsed.

    Also says whether anything but spacing changed, so that the person can be told.
    """
    text = strip_tags(raw)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = " ".join(text.split())
    return text, text != " ".join(raw.split())


def paragraphs(raw: str) -> str:
    """Free text over several lines: line breaks (made LF) and tabs kept, every other control
    character dropped, surrounding space trimmed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) != "Cc"
    ).strip()


def has_control_characters(value: str) -> bool:
    """Control characters other than tab and line breaks (the catalogue refuses them)."""
    return bool(_CATALOGUE_CONTROL.search(value))


# --- Spreadsheet formulas ------------------------------------------------------------------
# A cell that starts with = + - @ (or a tab or carriage return) is run as a formula by
# spreadsheet programs. Exports prefix such cells with an apostrophe, which spreadsheets
# hide; imports of our own files remove it again so that a round trip changes nothing.

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def restore_formula(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
