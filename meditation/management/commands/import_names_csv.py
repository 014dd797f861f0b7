from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meditation.catalogue.legacy_csv import CatalogueImportError, import_csv


class Command(BaseCommand):
    help = (
        "Create or update names from a CSV in the legacy format "
        "(Name,Number,Meaning,Tawil,Reference,Verse,Dhikr,Pronunciation,Phonetics). "
        "Any error rejects the whole file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV file to import")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            result = import_csv(raw)
        except CatalogueImportError as exc:
            raise CommandError(f"{path} was not imported; nothing changed.\n{exc}") from None
        self.stdout.write(
            f"Imported {path}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
