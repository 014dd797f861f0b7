"""`manage.py backup`: the database and the private files in one archive (see docs/backup.md)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from aysekai_site.backups import BackupError
from aysekai_site.backups.archive import create_backup, resolve_output
from aysekai_site.backups.private import private_root, unencrypted_files

REMOTE_NOTICE = (
    "The private files (exports, uploads) are in a storage elsewhere (STORAGES['private']), "
    "not in this archive: back that storage up with its provider's tools (docs/backup.md)."
)
# True because the journal's text is encrypted in the database and every private file (exports,
# waiting uploads) is encrypted on disk with the same keys; checked below for old files.
KEYS_NOTICE = (
    "Not in the backup: SECRET_KEY and FIELD_ENCRYPTION_KEYS. Keep them separately, in your "
    "secret store: without the keys in use today, the journal text in this backup cannot be read."
)
PLAINTEXT_WARNING = (
    "{count} private file(s) in this backup are not encrypted (written before private files "
    "were): they hold journal text in clear. Run `manage.py rotate_field_keys` to encrypt them, "
    "then make a new backup and delete this one."
)


class Command(BaseCommand):
    help = (
        "Write the database and the private files to one .tar.gz archive (with a manifest of "
        "checksums). Encryption keys and SECRET_KEY are never included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="archive path, or a directory for the default name "
            "(default: var/backups/aysekai-<UTC timestamp>.tar.gz)",
        )

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        target = resolve_output(output, datetime.datetime.now(datetime.UTC))
        try:
            manifest = create_backup(target, connections[DEFAULT_DB_ALIAS])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:  # an unwritable directory or a full disk: say so, no traceback
            raise CommandError(f"Could not write {target}: {exc}") from None
        # Checked on the live files, which the archive copied as they are.
        in_clear = unencrypted_files(private_root())
        if in_clear:  # also at verbosity 0: cron mails what a job writes to stderr
            self.stderr.write(self.style.ERROR(PLAINTEXT_WARNING.format(count=len(in_clear))))
        if private_root() is None:  # also at verbosity 0: the archive is not the whole site
            self.stderr.write(self.style.WARNING(REMOTE_NOTICE))
        if options["verbosity"] == 0:
            return  # for cron: silent unless it fails (a CommandError still goes to stderr)
        size = target.stat().st_size
        self.stdout.write(
            f"Wrote {target} ({size:,} bytes): the {manifest.vendor} database and "
            f"{manifest.file_count} private file(s)."
        )
        if not in_clear:
            self.stdout.write(self.style.WARNING(KEYS_NOTICE))
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Not in the backup: SECRET_KEY and FIELD_ENCRYPTION_KEYS. Keep them "
                    "separately, in your secret store."
                )
            )
