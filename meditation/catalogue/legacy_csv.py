"""The names catalogue in the command-line tool's CSV format, both ways.

Exporting writes every name; importing is an explicit act that updates the names it lists,
all of them or none (see `fixture.py` for how a new site gets its names).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import NAME_COUNT, DivineName
from ..text import (
    format_references,
    has_control_characters,
    neutralise_formula,
    parse_references,
    restore_formula,
)
from .fixture import fixture_entry, slug_for, validated

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

LEGACY_COLUMNS = (
    "Name",
    "Number",
    "Meaning",
    "Tawil",
    "Reference",
    "Verse",
    "Dhikr",
    "Pronunciation",
    "Phonetics",
)
# Which legacy column a model field's error belongs to.
COLUMN_OF_FIELD = {
    "number": "Number",
    "slug": "Name",
    "arabic": "Name",
    "transliteration": "Name",
    "meaning": "Meaning",
    "tawil": "Tawil",
    "quran_references": "Reference",
    "verse_arabic": "Verse",
    "verse_translation": "Verse",
    "dhikr": "Dhikr",
    "pronunciation": "Pronunciation",
    "phonetics": "Phonetics",
}
NEEDS_ARABIC = "a new name needs its Arabic in parentheses, e.g. “Ar-Raḥmān (الرَّحْمَٰنُ)”"
_NAME_CELL = re.compile(r"^(?P<transliteration>[^()]+?)\s*\((?P<arabic>[^()]+)\)$")


def legacy_row(name: DivineName) -> list[str]:
    verse = "\n".join(filter(None, (name.verse_arabic, name.verse_translation)))
    cells = [
        f"{name.transliteration} ({name.arabic})",
        str(name.number),
        name.meaning,
        name.tawil,
        format_references(name.quran_references),
        verse,
        name.dhikr,
        name.pronunciation,
        name.phonetics,
    ]
    return [neutralise_formula(cell) for cell in cells]


def export_csv(stream: SupportsWrite[str], names: Iterable[DivineName] | None = None) -> int:
    """Write the names in the legacy CSV format (UTF-8, no BOM: the old tool reads it)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LEGACY_COLUMNS)
    count = 0
    for name in DivineName.objects.all() if names is None else names:
        writer.writerow(legacy_row(name))
        count += 1
    return count


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.line}, column {self.column}: {self.message}"


class CatalogueImportError(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _read_rows(raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueImportError(
            [RowError(1, "-", f"the file is not UTF-8 text (byte {exc.start})")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogueImportError([RowError(1, "-", "the file is empty")]) from None
    except csv.Error as exc:
        raise CatalogueImportError([RowError(1, "-", str(exc))]) from None
    header = [h.strip() for h in header]
    missing = [c for c in LEGACY_COLUMNS if c not in header]
    if missing:
        raise CatalogueImportError(
            [RowError(1, column, "this column is missing from the header") for column in missing]
        )
    rows = []
    # Rows are counted as a spreadsheet shows them (the header is row 1), not as physical
    # lines: a quoted cell may span several lines.
    try:
        for row_number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise CatalogueImportError(
                    [
                        RowError(
                            row_number, "-", f"expected {len(header)} cells, found {len(record)}"
                        )
                    ]
                )
            rows.append((row_number, dict(zip(header, record, strict=True))))
    except csv.Error as exc:
        raise CatalogueImportError([RowError(len(rows) + 2, "-", str(exc))]) from None
    return header, rows


def _apply_row(
    cells: dict[str, str], line: int, existing: dict[int, DivineName]
) -> tuple[DivineName | None, list[RowError]]:
    errors = []
    cells = {column: restore_formula(cells[column]) for column in LEGACY_COLUMNS}
    for column, value in cells.items():
        if has_control_characters(value):
            errors.append(RowError(line, column, "contains control characters"))
    if errors:
        return None, errors

    number_text = cells["Number"].strip()
    if not number_text.isascii() or not number_text.isdigit():
        return None, [RowError(line, "Number", f"“{number_text}” is not a whole number")]
    number = int(number_text)
    if not 1 <= number <= NAME_COUNT:
        return None, [RowError(line, "Number", f"{number} is outside 1–{NAME_COUNT}")]

    name = existing.get(number) or DivineName(number=number)
    match = _NAME_CELL.match(cells["Name"].strip())
    if match:
        name.transliteration = match["transliteration"].strip()
        name.arabic = match["arabic"].strip()
    else:
        name.transliteration = cells["Name"].strip()
        if name.pk is None:
            errors.append(RowError(line, "Name", NEEDS_ARABIC))
    if not name.slug:
        name.slug = slug_for(name.transliteration)
    name.meaning = cells["Meaning"].strip()
    name.tawil = cells["Tawil"].strip()
    try:
        name.quran_references = parse_references(cells["Reference"])
    except ValidationError as exc:
        errors.extend(RowError(line, "Reference", m) for m in exc.messages)
    verse_arabic, _, verse_translation = cells["Verse"].strip().partition("\n")
    name.verse_arabic, name.verse_translation = verse_arabic.strip(), verse_translation.strip()
    name.dhikr = cells["Dhikr"].strip()
    name.pronunciation = cells["Pronunciation"].strip()
    name.phonetics = cells["Phonetics"].strip()
    try:
        validated(name)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            column = COLUMN_OF_FIELD.get(field, field)
            errors.extend(RowError(line, column, f"{field}: {m}") for m in messages)
    return name, errors


def import_csv(raw: bytes) -> ImportResult:
    """Create or update the names a legacy CSV lists; any error rejects the whole file."""
    _, rows = _read_rows(raw)
    if not rows:
        raise CatalogueImportError([RowError(2, "-", "the file has a header but no rows")])
    existing = {n.number: n for n in DivineName.objects.all()}
    before = {number: fixture_entry(n) for number, n in existing.items()}
    errors: list[RowError] = []
    seen: dict[int, int] = {}
    taken_slugs = {n.slug for n in existing.values()}
    to_save: list[DivineName] = []
    for line, cells in rows:
        name, row_errors = _apply_row(cells, line, existing)
        errors.extend(row_errors)
        if name is None:
            continue
        if name.number in seen:
            errors.append(
                RowError(
                    line, "Number", f"{name.number} already appears on row {seen[name.number]}"
                )
            )
            continue
        if name.pk is None and name.slug in taken_slugs:
            # Two transliterations can fold alike (Al-Majīd, Al-Mājid): keep URLs unique.
            name.slug = f"{name.slug}-{name.number}"
        seen[name.number] = line
        taken_slugs.add(name.slug)
        to_save.append(name)
    if errors:
        raise CatalogueImportError(errors)

    created = updated = unchanged = 0
    with transaction.atomic():
        for name in to_save:
            if name.pk is None:
                created += 1
                name.save()
            elif fixture_entry(name) != before[name.number]:
                updated += 1
                name.save()
            else:
                unchanged += 1
    return ImportResult(created, updated, unchanged)
