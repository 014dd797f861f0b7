"""The 99 names of the packaged catalogue (`fixtures/divine_names.json`), read as JSON: no
Django, no database. A `Name` has the attributes `meditation.catalogue.search` reads, so the
site's own search runs over them."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import BadNumber, ConfigurationError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "divine_names.json"
SCHEMA = 1
NAME_COUNT = 99
# The search caches each name's folded text by (number, updated_at): the fixture never changes
# while the command runs, so one constant will do.
UPDATED_AT = "fixture"


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

    @property
    def references(self) -> str:
        """The references as the site writes them: "55:1; 59:22"."""
        return "; ".join(str(r) for r in self.quran_references)

    def as_json(self) -> dict[str, Any]:
        """The fixture's fields, in its order, with the logical (unshaped) Arabic."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "updated_at":
                continue
            data[f.name] = getattr(self, f.name)
        data["quran_references"] = [
            {"surah": r.surah, "ayah": r.ayah} for r in self.quran_references
        ]
        return data


_TEXT_FIELDS = tuple(
    f.name for f in fields(Name) if f.name not in {"number", "quran_references", "updated_at"}
)


def _name(entry: Any) -> Name:
    if not isinstance(entry, dict):
        raise ValueError("a name is not an object")
    text = {}
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


@functools.cache
def load(path: Path = FIXTURE) -> tuple[Name, ...]:
    """The 99 names in order, or a ConfigurationError saying what is wrong with the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(
            f"The catalogue {path} cannot be read ({error.strerror or error}). "
            "The command runs from the project's folder (an editable install: make setup)."
        ) from None
    except ValueError:
        raise ConfigurationError(f"The catalogue {path} is not valid JSON.") from None
    try:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a catalogue of schema {SCHEMA}")
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
