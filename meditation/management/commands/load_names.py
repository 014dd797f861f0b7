from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meditation.catalogue.fixture import FIXTURE_PATH, load_missing_names


class Command(BaseCommand):
    help = "Add the names from the fixture that the database lacks. Never overwrites a row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixture", type=Path, default=FIXTURE_PATH)

    def handle(self, *args: Any, fixture: Path, **options: Any) -> None:
        added, present = load_missing_names(fixture)
        self.stdout.write(f"Names: {added} added, {present} already present.")
