"""Searching the catalogue by number, transliteration, meaning or Arabic.

The catalogue is 99 rows by definition, fetched in one query; matching happens on folded
text so that diacritics, harakat and Arabic letter variants never get in the way. A query with
nothing to search for (only punctuation, marks or a lone harakah) matches no name: it is not
an empty query, which lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import DivineName
from ..text import arabic_search_forms, fold, search_terms


def haystack(name: DivineName) -> str:
    transliteration = fold(name.transliteration)
    parts = [
        transliteration,
        transliteration.replace(" ", ""),  # "arrahman" as well as "ar rahman"
        fold(name.meaning),
        *arabic_search_forms(name.arabic),
    ]
    return " | ".join(parts)


def parse_number(query: str) -> int | None:
    """A query that is only digits (Latin or Arabic-Indic) asks for a number."""
    text = query.strip()
    return int(text) if text.isdecimal() and len(text) <= 3 else None


def nothing_to_search(query: str) -> bool:
    """True for a query that was typed but holds nothing to search for (`'`, `-`, `ʿ`)."""
    return bool(query.strip()) and parse_number(query) is None and not search_terms(query)


def search(names: Iterable[DivineName], query: str) -> list[DivineName]:
    number = parse_number(query)
    if number is not None:
        return [name for name in names if name.number == number]
    words = search_terms(query)
    if not words:
        return [] if nothing_to_search(query) else list(names)
    matches = []
    for name in names:
        text = haystack(name)  # folded once per name, not once per term
        if all(word in text for word in words):
            matches.append(name)
    return matches
