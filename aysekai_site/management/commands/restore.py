"""`manage.py restore`: put a backup made by `manage.py backup` back in place.

The archive is extracted and checked (manifest, checksums, vendor, schema) before anything is
touched; then the database is replaced (pg_restore in one transaction, or the SQLite file
renamed into place), then the private files, and `migrate` brings an older backup up to date.
"""

import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import AuditEvent
from aysekai_site.backups import BackupError
from aysekai_site.backups.archive import read_archive
from aysekai_site.backups.database import pg_tool, restore_database
from aysekai_site.backups.manifest import PRIVATE_DIR, Manifest, check_compatible
from aysekai_site.backups.private import (
    private_files,
    private_root,
    replace_private_files,
    unreadable_files,
)
from meditation import crypto
from meditation.models import MeditationSession


class Command(BaseCommand):
    help = (
        "Replace the database and the private files with a backup made by `manage.py backup`, "
        "then migrate. Checks the archive first; changes nothing without --yes."
    )
    # The system checks open the database, which may be missing or damaged: that is when a
    # restore is needed most. `migrate` afterwards works on the restored one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the archive (.tar.gz) to restore")
        parser.add_argument("--yes", action="store_true", help="really replace the current data")

    def handle(self, *args: Any, path: str, yes: bool, **options: Any) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        # Staged in TMPDIR (0700): the archive's own directory may be read-only.
        with tempfile.TemporaryDirectory(prefix="aysekai-restore-") as staging:
            try:
                if connection.vendor == "postgresql":
                    pg_tool("pg_restore")  # before the slow part, not after it
                manifest = read_archive(Path(path), Path(staging))
                check_compatible(manifest, connection)
                self._describe(path, manifest, connection)
                if not yes:
                    raise CommandError("Nothing was changed. Run again with --yes to replace them.")
                restore(manifest, Path(staging), connection)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            except OSError as exc:  # no space to stage the archive, an unwritable directory
                raise CommandError(f"Restore failed: {exc}") from None
        # An older backup is brought up to the code's schema.
        call_command(
            "migrate",
            interactive=False,
            verbosity=max(options["verbosity"] - 1, 0),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        self._summarise(connection)

    def _describe(self, path: str, manifest: Manifest, connection: BaseDatabaseWrapper) -> None:
        root = private_root()
        files_now = sum(1 for _ in private_files(root))
        self.stdout.write(
            f"{path}: made {manifest.created_at}, a {manifest.vendor} database and "
            f"{manifest.file_count} private file(s); checksums verified."
        )
        self.stdout.write("Restoring replaces:")
        self.stdout.write(f"  the database {_database_label(connection)} (now {_counted()})")
        if root is not None:
            self.stdout.write(f"  the private files in {root} (now {files_now} file(s))")

    def _summarise(self, connection: BaseDatabaseWrapper) -> None:
        self.stdout.write(self.style.SUCCESS(f"Restored: {_counted()}."))
        unreadable = unreadable_journal_entries(connection)
        if unreadable:
            # The restore itself is done; the operator must bring back the keys of its day.
            self.stderr.write(
                self.style.ERROR(
                    f"{unreadable} sampled journal entries cannot be decrypted with "
                    "FIELD_ENCRYPTION_KEYS: add the key(s) in use when this backup was made."
                )
            )
        files = unreadable_files(private_root())
        if files:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(files)} private file(s) (exports, uploads) cannot be decrypted with "
                    "FIELD_ENCRYPTION_KEYS: add the key(s) in use when this backup was made."
                )
            )


def restore(manifest: Manifest, staging: Path, connection: BaseDatabaseWrapper) -> None:
    """Replace the database, then the private files, with the staged (verified) archive."""
    # Django's own connections would keep the old SQLite file open or hold Postgres locks.
    connections.close_all()
    restore_database(connection, staging / manifest.database_member)
    staged_files = staging / PRIVATE_DIR
    try:
        replace_private_files(staged_files if staged_files.is_dir() else None, private_root())
    except OSError as exc:
        raise BackupError(
            f"The database was restored but the private files were not ({exc}). "
            "Fix that and run the same restore again: it is safe to repeat."
        ) from None
    # Content type ids are cached per process and may differ in the restored database.
    ContentType.objects.clear_cache()


def counts() -> dict[str, int | None]:
    """What the database holds; None where a table does not exist (yet)."""
    models = (
        ("users", get_user_model()),
        ("journal sessions", MeditationSession),
        ("audit events", AuditEvent),
    )
    result: dict[str, int | None] = {}
    for label, model in models:
        try:
            result[label] = model.objects.count()
        except DatabaseError:
            result[label] = None
    return result


def unreadable_journal_entries(connection: BaseDatabaseWrapper, sample: int = 200) -> int:
    """How many of a sample of journal texts the configured FIELD_ENCRYPTION_KEYS cannot read."""
    # Raw SQL on purpose: the model field would raise on the first unreadable value.
    table = connection.ops.quote_name(MeditationSession._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT intention FROM {table} WHERE intention <> '' LIMIT %s",  # noqa: S608
            [sample],
        )
        tokens = [row[0] for row in cursor.fetchall()]
    unreadable = 0
    for token in tokens:
        try:
            crypto.fernet().decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            unreadable += 1
    return unreadable


def _database_label(connection: BaseDatabaseWrapper) -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(config["NAME"])
    host = config.get("HOST") or "the local socket"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"{config['NAME']} on {host}{port}"


def _counted() -> str:
    return ", ".join(
        f"{label}: {'none (no table)' if n is None else n}" for label, n in counts().items()
    )
