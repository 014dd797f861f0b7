"""The 99 names of the packaged catalogue (`fixtures/divine_names.json`), read as JSON: no
Django, no database. A `Name` has the attributes `meditation.catalogue.search` reads, so the
site's own search runs over them.

Their words in Turkish and Arabic are beside it, in `fixtures/divine_names.<language>.json`,
as the site loads them (`meditation.catalogue.fixture`). `localize` gives names in a language
by the site's rules (`meditation.catalogue.translations`): each field in that language, English
where it is empty; in Arabic no verse translation (the verse is the Qurʾān's own Arabic).
`with_translations` gives names carrying their words in every language (`translation_texts`),
which the search reads, so that "merhametli" finds Ar-Raḥmān whatever the language shown.
Tests point the command at other files with `FIXTURES` (the folder of the translations).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import languages
from .errors import BadNumber, ConfigurationError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE = FIXTURES / "divine_names.json"
SCHEMA = 1
NAME_COUNT = 99
# The search caches each name's folded text by (number, updated_at): the fixture never changes
# while the command runs, so one constant will do.
UPDATED_AT = "fixture"
# The fields a language's fixture translates (the site's `translations.FIELDS`), and those a
# language has no use for (the site's `translations.UNUSED`): never shown.
TRANSLATED = ("meaning", "description", "tawil", "dhikr", "verse_translation")
UNUSED = {"ar": frozenset({"verse_translation"})}


@dataclass(frozen=True, slots=True)
class Reference:
    surah: int
    ayah: int

    def __str__(self) -> str:
        return f"{self.surah}:{self.ayah}"


@dataclass(frozen=True, slots=True)
class Name:
    """One name, every field of the fixture (frozen, so hashable: the search caches by it)."""

    number: int
    slug: str
    arabic: str
    transliteration: str
    meaning: str
    description: str
    tawil: str
    quran_references: tuple[Reference, ...]
    verse_arabic: str
    verse_translation: str
    dhikr: str
    dhikr_arabic: str
    pronunciation: str
    phonetics: str
    updated_at: str = UPDATED_AT
    # Not the fixture's. The language the translated fields are in, and which of them are
    # English all the same (not translated): `localize`.
    language: str = languages.ENGLISH
    fallbacks: frozenset[str] = frozenset()
    # The words in every other language, {language: {field: text}}, which the search reads:
    # `with_translations` (which also moves `updated_at`, the search's cache key, with them).
    translation_texts: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def references(self) -> str:
        """The references as the site writes them: "55:1; 59:22"."""
        return "; ".join(str(r) for r in self.quran_references)

    def as_json(self) -> dict[str, Any]:
        """The fixture's fields, in its order, with the logical (unshaped) Arabic."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name in _NOT_THE_FIXTURES:
                continue
            data[f.name] = getattr(self, f.name)
        data["quran_references"] = [
            {"surah": r.surah, "ayah": r.ayah} for r in self.quran_references
        ]
        if self.language != languages.ENGLISH:
            data["language"] = self.language
        return data


_NOT_THE_FIXTURES = frozenset({"updated_at", "language", "fallbacks", "translation_texts"})
_TEXT_FIELDS = tuple(
    f.name for f in fields(Name) if f.name not in {"number", "quran_references"} | _NOT_THE_FIXTURES
)


def _name(entry: Any) -> Name:
    if not isinstance(entry, dict):
        raise ValueError("a name is not an object")
    text: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{key} of a name is not text")
        text[key] = value
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValueError("a name's number is not a whole number")
    references = tuple(
        Reference(int(r["surah"]), int(r["ayah"])) for r in entry.get("quran_references") or []
    )
    return Name(number=number, quran_references=references, **text)


def _read(path: Path, which: str) -> Any:
    """A fixture's JSON, or a ConfigurationError saying `which` file cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(
            f"{which} cannot be read ({error.strerror or error}). "
            "The command runs from the project's folder (an editable install: make setup)."
        ) from None
    except ValueError:
        raise ConfigurationError(f"{which} is not valid JSON.") from None


def _check_schema(data: Any) -> None:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"not a catalogue of schema {SCHEMA}")


@functools.cache
def load(path: Path = FIXTURE) -> tuple[Name, ...]:
    """The 99 names in order, or a ConfigurationError saying what is wrong with the file."""
    data = _read(path, f"The catalogue {path}")
    try:
        _check_schema(data)
        names = tuple(sorted((_name(e) for e in data["names"]), key=lambda n: n.number))
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigurationError(f"The catalogue {path} is damaged: {error}.") from None
    if [n.number for n in names] != list(range(1, NAME_COUNT + 1)):
        raise ConfigurationError(f"The catalogue {path} does not hold the names 1 to 99.")
    return names


def parse_number(raw: str) -> int:
    """A name number from what was typed ("7", " 07 "), or BadNumber saying why not."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise BadNumber(f"“{raw}” is not a name number: give a whole number from 1 to 99.")
    number = int(text)
    if not 1 <= number <= NAME_COUNT:
        raise BadNumber(f"There is no name {number}: the names are numbered 1 to 99.")
    return number


def get(number: int) -> Name:
    return load()[number - 1]


# --- The names in other languages ----------------------------------------------------------


def translation_path(language: str) -> Path:
    return FIXTURES / f"divine_names.{language}.json"


def _translated_fields(entry: Any) -> tuple[int, dict[str, str]]:
    if not isinstance(entry, dict):
        raise ValueError("a name is not an object")
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValueError("a name's number is not a whole number")
    if not 1 <= number <= NAME_COUNT:
        raise ValueError(f"there is no name {number}")
    texts = {}
    for key in TRANSLATED:
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{key} of name {number} is not text")
        texts[key] = value
    return number, texts


@dataclass(frozen=True)
class Translation:
    """A language's fixture: each name's translated fields by number, and where they are from
    (its "sources", shown by `aysekai about`)."""

    language: str
    names: Mapping[int, Mapping[str, str]]
    sources: Mapping[str, str]


@functools.cache
def _read_translation(language: str, path: Path) -> Translation:
    which = f"The {languages.NAMES[language]} catalogue {path}"
    data = _read(path, which)
    try:
        _check_schema(data)
        if data.get("language") != language:
            raise ValueError(f"its language is {data.get('language')!r}, not {language!r}")
        if not isinstance(data["names"], list):
            raise ValueError("its names are not a list")
        entries: dict[int, Mapping[str, str]] = {}
        for entry in data["names"]:
            number, texts = _translated_fields(entry)
            if number in entries:
                raise ValueError(f"name {number} is there twice")
            entries[number] = texts
        sources = data.get("sources", {})
        if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
            raise ValueError("its sources are not texts")
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigurationError(f"{which} is damaged: {error}.") from None
    return Translation(language, entries, sources)


def translation(language: str) -> Translation:
    """The fixture of `language` (not English), or a ConfigurationError saying what is wrong
    with its file. A name it lacks is shown in English."""
    return _read_translation(language, translation_path(language))


def translations(language: str) -> Mapping[int, Mapping[str, str]]:
    """The words of the names in `language`, by number."""
    return translation(language).names


def in_language(name: Name, language: str, texts: Mapping[str, str]) -> Name:
    """The name with its translated fields in `language` (`texts`): English where a field is
    empty, none where the language has no use for it (the site's `translations.Localized`)."""
    if language == languages.ENGLISH:
        return name
    unused = UNUSED.get(language, frozenset())
    shown: dict[str, Any] = {
        key: "" if key in unused else texts.get(key) or getattr(name, key) for key in TRANSLATED
    }
    fallbacks = frozenset(
        key for key in TRANSLATED if key not in unused and not texts.get(key) and getattr(name, key)
    )
    return dataclasses.replace(name, language=language, fallbacks=fallbacks, **shown)


def localize(names: Iterable[Name], language: str) -> list[Name]:
    """The names in `language`; as they are in English (no translation read)."""
    if language == languages.ENGLISH:
        return list(names)
    texts = translations(language)
    return [in_language(name, language, texts.get(name.number, {})) for name in names]


def with_translations(names: Iterable[Name]) -> list[Name]:
    """The names carrying their words in every other language (`translation_texts`, read by
    the search). Their `updated_at` says so: the search caches a name's text by it."""
    others = [code for code in languages.CODES if code != languages.ENGLISH]
    by_language = {code: translations(code) for code in others}
    marked = "+".join([UPDATED_AT, *others])
    return [
        dataclasses.replace(
            name,
            updated_at=marked,
            translation_texts={
                code: entries[name.number]
                for code, entries in by_language.items()
                if name.number in entries
            },
        )
        for name in names
    ]
