"""A name in the page's language (issue 17): its words from `NameTranslation`, English where
a translation is missing, and which fields those are, so that a page marks them as English.

`localize(names)` reads every translation of those names in the active language in one
query; `localized(name)` is one name. What comes back is the name itself for English, else a
`Localized`: the name with its translated fields replaced, anything else read from the name
(number, Arabic, URL...), so templates and views use it as they use a name.

An Arabic page shows no translation of the verse: the verse is the Qurʾān's own Arabic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from ..models import DivineName, NameTranslation

FIELDS = ("meaning", "description", "tawil", "dhikr", "verse_translation")
# Fields a language has no use for: never shown, never marked as English.
UNUSED = {"ar": frozenset({"verse_translation"})}


class Localized:
    """A name in `language`: `fallbacks` are the fields shown in English."""

    def __init__(self, name: DivineName, language: str, texts: dict[str, str]) -> None:
        self._name = name
        self.language = language
        unused = UNUSED.get(language, frozenset())
        self._texts = {
            field: "" if field in unused else texts.get(field) or getattr(name, field)
            for field in FIELDS
        }
        self.fallbacks = frozenset(
            field
            for field in FIELDS
            if field not in unused and not texts.get(field) and getattr(name, field)
        )

    def __getattr__(self, attribute: str) -> Any:
        texts = self.__dict__.get("_texts", {})
        if attribute in texts:
            return texts[attribute]
        return getattr(self.__dict__["_name"], attribute)

    @property
    def original(self) -> DivineName:
        return self._name

    @property
    def contemplation_line(self) -> str:
        """As the name's, from the commentary in this language."""
        return DivineName.contemplation_line.fget(self)  # type: ignore[attr-defined]

    def __str__(self) -> str:
        return str(self._name)

    def __eq__(self, other: object) -> bool:
        other_name = other._name if isinstance(other, Localized) else other
        return self._name == other_name

    def __hash__(self) -> int:
        return hash(self._name)


def current_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def with_translations[N: DivineName](names: Iterable[N]) -> list[N]:
    """The names, each carrying its words in every language as `translation_texts`
    ({language: {field: text}}): for the search, which finds a name in any language, and for
    `localize` after it, which then needs no query. One query for all of them."""
    names = list(names)
    by_name: dict[int, dict[str, dict[str, str]]] = {name.pk: {} for name in names}
    rows = NameTranslation.objects.filter(name__in=list(by_name)).values(
        "name_id", "language", *FIELDS
    )
    for row in rows:
        by_name[row.pop("name_id")][row.pop("language")] = row
    for name in names:
        name.translation_texts = by_name[name.pk]  # type: ignore[attr-defined]
    return names


def localize[N: DivineName](names: Iterable[N], language: str | None = None) -> list[N | Localized]:
    """The names in `language` (the active one by default), in one query (none when they
    carry their translations already: `with_translations`); as they are in English."""
    language = language or current_language()
    names = list(names)
    if language == settings.LANGUAGE_CODE or not names:
        return list(names)
    if all(hasattr(name, "translation_texts") for name in names):
        texts = {name.pk: name.translation_texts.get(language, {}) for name in names}  # type: ignore[attr-defined]
    else:
        rows = NameTranslation.objects.filter(
            language=language, name__in=[n.pk for n in names]
        ).values("name_id", *FIELDS)
        texts = {row.pop("name_id"): row for row in rows}
    return [Localized(name, language, texts.get(name.pk, {})) for name in names]


def localized[N: DivineName](name: N, language: str | None = None) -> N | Localized:
    return localize([name], language)[0]
