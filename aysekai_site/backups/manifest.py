"""The manifest: what an archive holds (members and their SHA-256, database vendor, schema
state), and whether this code can restore it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from . import BackupError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PRIVATE_DIR = "private"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    migrations: dict[str, str]  # app label -> latest applied migration
    checksums: dict[str, str]  # member name -> SHA-256 (hex), every member but the manifest
    format_version: int = FORMAT_VERSION

    @property
    def file_count(self) -> int:
        return sum(1 for name in self.checksums if name.startswith(f"{PRIVATE_DIR}/"))

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.vendor]

    def to_json(self) -> bytes:
        data = {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "vendor": self.vendor,
            "migrations": self.migrations,
            "file_count": self.file_count,
            "checksums": self.checksums,
        }
        return json.dumps(data, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError:
            raise BackupError("The archive's manifest.json is not valid JSON.") from None
        if not isinstance(data, dict):
            raise BackupError("The archive's manifest.json is not an object.")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"Archive format {data.get('format_version')!r} is not supported "
                f"(this version of the site reads format {FORMAT_VERSION})."
            )
        manifest = cls(
            created_at=_string(data.get("created_at"), "created_at"),
            vendor=_string(data.get("vendor"), "vendor"),
            migrations=_string_map(data.get("migrations"), "migrations"),
            checksums=_string_map(data.get("checksums"), "checksums"),
        )
        if manifest.vendor not in DATABASE_MEMBERS:
            raise BackupError(f"The manifest names an unknown database: {manifest.vendor!r}.")
        if not all(SHA256_HEX.fullmatch(digest) for digest in manifest.checksums.values()):
            raise BackupError("The manifest holds a checksum that is not a SHA-256.")
        if data.get("file_count") != manifest.file_count:
            raise BackupError("The manifest's file count does not match its list of files.")
        return manifest


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise BackupError(f"The manifest's {key} is missing or not text.")
    return value


def _string_map(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise BackupError(f"The manifest's {key} is missing or malformed.")
    return value


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


def check_compatible(manifest: Manifest, connection: BaseDatabaseWrapper) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"This archive holds a {manifest.vendor} database but this site uses "
            f"{connection.vendor}: restore it into a site configured for {manifest.vendor}."
        )
    # `migrate` brings an older backup up to date but cannot take a newer one back: refuse
    # before anything is replaced rather than leave a database this code does not understand.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.replacements.values():
        known.update(migration.replaces)
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(manifest.migrations.items())
        if app in loader.migrated_apps and (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "This archive was made by a newer version of the site (migrations unknown here: "
            f"{', '.join(unknown)}). Restore it with that version of the code."
        )
