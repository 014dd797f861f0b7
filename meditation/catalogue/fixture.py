"""Loading the 99 names from the fixture (`fixtures/divine_names.json`), and writing it back;
their words in other languages from `fixtures/divine_names.<language>.json` (issue 17).

The fixture is the source of truth for a new site: setup adds the names that are missing and
never overwrites a row, so curators' edits survive every deploy. Curated content flows back
into the fixture only by an explicit export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from ..models import DivineName, NameTranslation
from ..text import fold

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "divine_names.json"
FIXTURE_SCHEMA = 1
CONTENT_FIELDS = (
    "arabic",
    "transliteration",
    "meaning",
    "description",
    "tawil",
    "quran_references",
    "verse_arabic",
    "verse_translation",
    "dhikr",
    "dhikr_arabic",
    "pronunciation",
    "phonetics",
)


TRANSLATED_FIELDS = ("meaning", "description", "tawil", "dhikr", "verse_translation")


def translation_path(language: str, path: Path = FIXTURE_PATH) -> Path:
    return path.with_name(f"divine_names.{language}.json")


def slug_for(transliteration: str) -> str:
    return slugify(fold(transliteration))


def validated(name: DivineName) -> DivineName:
    # Uniqueness is the database's job (one query for all rows, not two per row).
    name.full_clean(validate_unique=False, validate_constraints=False)
    return name


# --- Fixture ----------------------------------------------------------------------------


def _default(field_name: str) -> Any:
    field = cast("models.Field[Any, Any]", DivineName._meta.get_field(field_name))
    return field.get_default()


def read_fixture(path: Path = FIXTURE_PATH) -> list[DivineName]:
    """The names in the fixture as unsaved, validated model instances."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != FIXTURE_SCHEMA:
        raise ValueError(f"{path}: unsupported schema {data.get('schema')!r}")
    names = []
    for entry in data["names"]:
        fields = {f: entry.get(f, _default(f)) for f in CONTENT_FIELDS}
        names.append(validated(DivineName(number=entry["number"], slug=entry["slug"], **fields)))
    return names


def load_missing_names(path: Path = FIXTURE_PATH) -> tuple[int, int]:
    """Add the fixture's names that the table lacks, then the translations they lack (each
    language's fixture beside it). Returns (names added, names already present)."""
    names = read_fixture(path)
    with transaction.atomic():
        present = set(DivineName.objects.values_list("number", flat=True))
        missing = [name for name in names if name.number not in present]
        # With history, so that a curator can revert a name to its original content.
        bulk_create_with_history(missing, DivineName)
        for language in NameTranslation.Language.values:
            if translation_path(language, path).exists():
                load_missing_translations(language, translation_path(language, path))
    return len(missing), len(names) - len(missing)


def read_translations(language: str, path: Path) -> dict[int, dict[str, str]]:
    """A language's fixture: each name's number and its translated fields."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != FIXTURE_SCHEMA or data.get("language") != language:
        raise ValueError(f"{path}: not a schema {FIXTURE_SCHEMA} fixture of {language!r}")
    return {
        entry["number"]: {f: str(entry.get(f, "")) for f in TRANSLATED_FIELDS}
        for entry in data["names"]
    }


def load_missing_translations(language: str, path: Path) -> int:
    """Add the translations in `language` that the names lack; never overwrites one (a
    curator's edit survives every deploy). Returns how many were added."""
    entries = read_translations(language, path)
    names = dict(DivineName.objects.filter(number__in=entries).values_list("number", "pk"))
    present = set(
        NameTranslation.objects.filter(language=language).values_list("name_id", flat=True)
    )
    missing = []
    for number, fields in entries.items():
        if number in names and names[number] not in present:
            translation = NameTranslation(name_id=names[number], language=language, **fields)
            translation.full_clean(validate_unique=False, validate_constraints=False)
            missing.append(translation)
    bulk_create_with_history(missing, NameTranslation)
    if missing:  # bulk creation sends no signal: the pages follow all the same
        DivineName.objects.filter(pk__in=[t.name_id for t in missing]).update()
    return len(missing)


def fixture_entry(name: DivineName) -> dict[str, Any]:
    return {"number": name.number, "slug": name.slug} | {
        field: getattr(name, field) for field in CONTENT_FIELDS
    }


def write_fixture(names: Iterable[DivineName], path: Path = FIXTURE_PATH) -> None:
    """Write names to the fixture (how curated content flows back to the source of truth)."""
    data = {"schema": FIXTURE_SCHEMA, "names": [fixture_entry(n) for n in names]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
