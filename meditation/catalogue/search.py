"""Searching the catalogue by number, transliteration, meaning, Arabic, or the words of its
description, commentary, verse and dhikr (issue 14: "mercy", "allah" and "الله" find names).

The catalogue is 99 rows by definition, fetched in one query; matching happens on folded
text so that diacritics, harakat and Arabic letter variants never get in the way, and a name
is also found by common spellings of it: doubled vowels, "ou" for "u", "ee" for "i", a
missing "h" ("rahmaan" finds Ar-Raḥmān, "sabour" Aṣ-Ṣabūr). A query with nothing to search for
(only punctuation, marks or a lone harakah) matches no name: it is not an empty query, which
lists them all.

Every word must match. Names are listed by where their weakest word matched: in the name (or
its dhikr), then the meaning, then the description, then the commentary and verse; by number
within each.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..text import arabic_search_forms, fold, search_terms

if TYPE_CHECKING:  # any object with a name's fields will do: the CLI searches the fixture's
    from ..models import DivineName

# The fields a search reads, beside those the grid shows.
FIELDS = ("transliteration", "arabic", "dhikr", "dhikr_arabic", "meaning", "description", "tawil",
          "verse_translation", "verse_arabic", "updated_at")  # fmt: skip
NAME, MEANING, DESCRIPTION, PROSE = range(4)  # where a word matched, best first
_RUNS = re.compile(r"(.)\1+")
_NOT_WORD = re.compile(r"[^\w]+")


def spelling_key(text: str) -> str:
    """Folded Latin text as it is commonly spelled in any of its ways: "ou" and "oo" as "u",
    "ee" as "i", no "h", and a doubled letter once. "Rahmaan", "rahman" and "Ar-Raḥmān" agree
    on "raman" within it."""
    key = text.replace("ou", "u").replace("oo", "u").replace("ee", "i").replace("h", "")
    return _RUNS.sub(r"\1", key)


def haystack(name: DivineName) -> str:
    """The name's own words, folded: transliteration (with and without its space), Arabic
    forms and dhikr (in both scripts: "يا رحمن" finds Ar-Raḥmān)."""
    transliteration = fold(name.transliteration)
    parts = [
        transliteration,
        transliteration.replace(" ", ""),  # "arrahman" as well as "ar rahman"
        fold(name.dhikr),
        *arabic_search_forms(name.arabic),
        *arabic_search_forms(name.dhikr_arabic),
    ]
    return " | ".join(parts)


def _words(text: str) -> str:
    """Folded prose as " word word … ": a query word matches the start of a word in it."""
    return " " + " ".join(_NOT_WORD.sub(" ", fold(text)).split()) + " "


def _in_every_language(name: DivineName, field: str) -> str:
    """The field in English and in each translation the name carries (`translation_texts`,
    set by `catalogue.translations.with_translations`): "Merhametli" finds Ar-Raḥmān."""
    translated = getattr(name, "translation_texts", {}).values()
    return " ".join([getattr(name, field), *(texts.get(field, "") for texts in translated)])


@functools.lru_cache(maxsize=256)
def _texts(
    number: int, updated_at: object, languages: tuple[str, ...], name: DivineName
) -> tuple[str, str, str, str, str]:
    """By tier: the name's words, their spelling key, the meaning, the description, and the
    commentary with the verse, each in every language the name carries. Kept per name, edit
    (`updated_at`, which a translation's edit moves too) and the languages it carries."""
    own = haystack(name) + " | " + fold(_in_every_language(name, "dhikr"))
    meaning = _in_every_language(name, "meaning")
    verse = _in_every_language(name, "verse_translation")
    prose = " ".join((_in_every_language(name, "tawil"), verse, name.verse_arabic))
    return (own, spelling_key(own), fold(meaning) + " " + _words(meaning),
            _words(_in_every_language(name, "description")), _words(prose))  # fmt: skip


def _tier(word: str, texts: tuple[str, str, str, str, str]) -> int | None:
    own, own_key, meaning, description, prose = texts
    if word in own or spelling_key(word) in own_key:
        return NAME
    if word in meaning:
        return MEANING
    if f" {word}" in description:
        return DESCRIPTION
    if f" {word}" in prose:
        return PROSE
    return None


def parse_number(query: str) -> int | None:
    """A query that is only digits (Latin or Arabic-Indic) asks for a number."""
    text = query.strip()
    return int(text) if text.isdecimal() and len(text) <= 3 else None


def nothing_to_search(query: str) -> bool:
    """True for a query that was typed but holds nothing to search for (`'`, `-`, `ʿ`)."""
    return bool(query.strip()) and parse_number(query) is None and not search_terms(query)


def search(names: Iterable[DivineName], query: str) -> list[DivineName]:
    names = list(names)
    number = parse_number(query)
    if number is not None:
        return [name for name in names if name.number == number]
    words = search_terms(query)
    if not words:
        return [] if nothing_to_search(query) else names
    found: list[tuple[int, int, DivineName]] = []
    for name in names:
        # Keyed by the languages the name carries too: the same name without them (the
        # command's, a caller's that did not ask) is another text.
        languages = tuple(sorted(getattr(name, "translation_texts", {})))
        texts = _texts(name.number, name.updated_at, languages, name)
        tiers = [_tier(word, texts) for word in words]
        if None not in tiers:
            found.append((max(t for t in tiers if t is not None), name.number, name))
    return [name for _, _, name in sorted(found, key=lambda item: item[:2])]
