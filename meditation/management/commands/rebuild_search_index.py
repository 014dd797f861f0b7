from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meditation import search_index
from meditation.models import JournalToken, MeditationSession


class Command(BaseCommand):
    help = (
        "Write every journal entry's search tokens again, under the first key of "
        "FIELD_ENCRYPTION_KEYS (rotate_field_keys does this too). Safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        done = search_index.rebuild(MeditationSession, JournalToken, batch_size=batch_size)
        self.stdout.write(f"Indexed {done} journal entries for search.")
