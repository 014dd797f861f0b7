from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from meditation import private_files
from meditation.crypto import SealedFileError
from meditation.models import ExportJob, ImportJob, MeditationSession

ENCRYPTED_FIELDS = ["intention", "reflection"]


class Command(BaseCommand):
    help = (
        "Re-encrypt every journal entry's text and every private file (exports, uploads waiting "
        "to be imported) with the first key of FIELD_ENCRYPTION_KEYS. Run it after putting a "
        "new key first; afterwards the old keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        # Reading decrypts with whichever key fits; saving encrypts with the first key, and
        # writes the entries' search tokens again under it (the queryset's bulk_update).
        done = 0
        last_pk = None
        while True:
            batch = MeditationSession.objects.order_by("pk").only(
                "pk", "user_id", *ENCRYPTED_FIELDS
            )
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            entries = list(batch[:batch_size])
            if not entries:
                break
            with transaction.atomic():
                MeditationSession.objects.bulk_update(entries, ENCRYPTED_FIELDS)
            done += len(entries)
            last_pk = entries[-1].pk
        self.stdout.write(
            f"Re-encrypted {done} journal entries with the first key, and their search index."
        )
        self.rotate_files()

    def rotate_files(self) -> None:
        """Each file the jobs still point at, streamed through the first key (or left alone)."""
        files = [
            *ExportJob.objects.exclude(file="").values_list("file", flat=True),
            *ImportJob.objects.exclude(file="").values_list("file", flat=True),
        ]
        outcomes = {"rewritten": 0, "current": 0, "missing": 0}
        unreadable: list[str] = []
        for relative in files:
            try:
                outcomes[private_files.reencrypt(relative)] += 1
            except SealedFileError as problem:
                unreadable.append(relative)
                self.stderr.write(f"{relative}: {problem}")
        self.stdout.write(
            f"Re-encrypted {outcomes['rewritten']} private file(s) "
            f"({outcomes['current']} already used the first key)."
        )
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} private file(s) could not be read with any key and were "
                "left as they are: keep the old keys until they expire, or expire those jobs "
                "in the admin."
            )
