"""Loading the 99 names from the fixture (`fixtures/divine_names.json`), and writing it back.

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

from ..models import DivineName
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
    """Add the fixture's names that the table lacks. Returns (added, already present)."""
    names = read_fixture(path)
    with transaction.atomic():
        present = set(DivineName.objects.values_list("number", flat=True))
        missing = [name for name in names if name.number not in present]
        # With history, so that a curator can revert a name to its original content.
        bulk_create_with_history(missing, DivineName)
    return len(missing), len(names) - len(missing)


def fixture_entry(name: DivineName) -> dict[str, Any]:
    return {"number": name.number, "slug": name.slug} | {
        field: getattr(name, field) for field in CONTENT_FIELDS
    }


def write_fixture(names: Iterable[DivineName], path: Path = FIXTURE_PATH) -> None:
    """Write names to the fixture (how curated content flows back to the source of truth)."""
    data = {"schema": FIXTURE_SCHEMA, "names": [fixture_entry(n) for n in names]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
