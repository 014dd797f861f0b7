from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from meditation.models import MeditationSession

ENCRYPTED_FIELDS = ["intention", "reflection"]


class Command(BaseCommand):
    help = (
        "Re-encrypt every journal entry's text with the first key of FIELD_ENCRYPTION_KEYS. "
        "Run it after putting a new key first; afterwards the old keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        # Reading decrypts with whichever key fits; saving encrypts with the first key.
        done = 0
        last_pk = None
        while True:
            batch = MeditationSession.objects.order_by("pk").only("pk", *ENCRYPTED_FIELDS)
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            entries = list(batch[:batch_size])
            if not entries:
                break
            with transaction.atomic():
                MeditationSession.objects.bulk_update(entries, ENCRYPTED_FIELDS)
            done += len(entries)
            last_pk = entries[-1].pk
        self.stdout.write(f"Re-encrypted {done} journal entries with the first key.")
