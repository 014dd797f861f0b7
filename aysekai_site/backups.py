"""Backup archives: the database and the private files in one .tar.gz, described by a manifest.

An archive holds the database (`database.sqlite3`, a consistent copy made with SQLite's backup
API, or `database.pgdump`, pg_dump's custom format), the files under PRIVATE_STORAGE_ROOT as
`private/...`, and `manifest.json` (written last, once every checksum is known). The manifest
lists the SHA-256 of every other member, so a restore refuses a damaged archive before it
touches anything. Checksums catch corruption, not a deliberate forgery: archives are protected
by who may read and write them.

Keys are never in an archive: SECRET_KEY and FIELD_ENCRYPTION_KEYS live in the secret store, and
the journal text in an archive is ciphertext that only the keys of its day can read.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from meditation.private_files import TEMP_SUFFIX

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PRIVATE_DIR = "private"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator why."""


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


# --- Writing ----------------------------------------------------------------------------------


def resolve_output(output: str | None, now: datetime.datetime) -> Path:
    """The archive's path: the default name under var/backups/, or inside a given directory."""
    name = f"aysekai-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if output is None:
        return Path(settings.VAR_DIR) / "backups" / name
    if output.endswith(os.sep) or Path(output).is_dir():
        return Path(output) / name
    return Path(output)


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


def create_backup(output: Path, connection: BaseDatabaseWrapper) -> Manifest:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    now = datetime.datetime.now(datetime.UTC)
    migrations = migration_state(connection)
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Staged beside the archive rather than in /tmp (often a small tmpfs), in a 0700 directory.
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".aysekai-backup-") as staging:
        dump = Path(staging) / DATABASE_MEMBERS[vendor]
        dump_database(connection, dump)
        checksums: dict[str, str] = {}
        with _atomic_file(output) as stream, tarfile.open(fileobj=stream, mode="w:gz") as tar:
            checksums[dump.name] = _add_file(tar, dump.name, dump)
            for relative, path in private_files(Path(settings.PRIVATE_STORAGE_ROOT)):
                name = f"{PRIVATE_DIR}/{relative}"
                checksums[name] = _add_file(tar, name, path)
            manifest = Manifest(
                created_at=now.isoformat(timespec="seconds"),
                vendor=vendor,
                migrations=migrations,
                checksums=checksums,
            )
            _add_bytes(tar, MANIFEST, manifest.to_json(), now)
    return manifest


def dump_database(connection: BaseDatabaseWrapper, dest: Path) -> None:
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise BackupError("An in-memory SQLite database cannot be backed up.")
        source = Path(str(connection.settings_dict["NAME"]))
        if not source.is_file():
            # sqlite3.connect would silently create an empty database there.
            raise BackupError(f"The SQLite database {source} does not exist.")
        # The backup API copies a consistent snapshot (WAL included) while others keep writing.
        with (
            closing(sqlite3.connect(source, timeout=20)) as src,
            closing(sqlite3.connect(dest)) as dst,
        ):
            src.backup(dst)
        return
    args, env = pg_connection(connection.settings_dict)
    pg_dump = pg_tool("pg_dump")
    run_tool(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", *args], env
    )


def private_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX name, path) of every stored file under root, in a stable order."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            # Half-written temporaries are not data yet; a link could point anywhere.
            if path.is_symlink() or not path.is_file():
                continue
            if filename.startswith(".") and filename.endswith(TEMP_SUFFIX):
                continue
            yield path.relative_to(root).as_posix(), path


@contextmanager
def _atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A 0600 temporary beside target, renamed over it once complete: never a partial archive."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    # Make the rename itself durable, so a power cut cannot lose a finished backup.
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class _HashingReader:
    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> str:
    # Hashing what tarfile reads (exactly info.size bytes) makes the checksum describe the
    # archived bytes even if the file changes while it is read.
    with open(path, "rb") as raw:
        info = tar.gettarinfo(arcname=name, fileobj=raw)
        _anonymise(info)
        reader = _HashingReader(raw)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return reader.digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, now: datetime.datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(now.timestamp())
    _anonymise(info)
    tar.addfile(info, io.BytesIO(data))


def _anonymise(info: tarfile.TarInfo) -> None:
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""


# --- Reading ----------------------------------------------------------------------------------


def read_archive(archive: Path, staging: Path) -> Manifest:
    """Extract the archive into staging and check it against its manifest."""
    if not archive.is_file():
        raise BackupError(f"There is no backup file at {archive}.")
    digests: dict[str, str] = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = _checked_name(member)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"{name} in the archive is not a regular file.")
                if name in digests or (name == MANIFEST and manifest_raw is not None):
                    raise BackupError(f"{name} appears twice in the archive.")
                source = tar.extractfile(member)
                if source is None:  # tarfile gives None only for non-regular members
                    raise BackupError(f"{name} in the archive cannot be read.")
                if name == MANIFEST:
                    if member.size > MANIFEST_MAX_BYTES:
                        raise BackupError("The archive's manifest.json is implausibly large.")
                    manifest_raw = source.read()
                else:
                    digests[name] = _extract(source, staging / name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(
            f"{archive} is not a readable backup archive (damaged or truncated?): {exc}"
        ) from None
    if manifest_raw is None:
        raise BackupError(f"{archive} has no manifest.json: it is not an Aysekai backup.")
    manifest = Manifest.from_json(manifest_raw)
    _verify(manifest, digests)
    return manifest


def _checked_name(member: tarfile.TarInfo) -> str:
    # Only the names a backup writes, so nothing can be extracted outside the staging directory.
    path = PurePosixPath(member.name)
    name = path.as_posix()
    expected = name in {MANIFEST, *DATABASE_MEMBERS.values()} or (
        path.parts[:1] == (PRIVATE_DIR,) and ".." not in path.parts
    )
    if path.is_absolute() or not expected:
        raise BackupError(f"The archive holds an unexpected member: {member.name!r}.")
    return name


def _extract(source: IO[bytes], dest: Path) -> str:
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(dest, "xb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _verify(manifest: Manifest, digests: dict[str, str]) -> None:
    missing = sorted(set(manifest.checksums) - set(digests))
    extra = sorted(set(digests) - set(manifest.checksums))
    if missing or extra:
        raise BackupError(
            "The archive does not match its manifest "
            f"(missing: {', '.join(missing) or 'none'}; not listed: {', '.join(extra) or 'none'})."
        )
    bad = sorted(name for name, digest in digests.items() if manifest.checksums[name] != digest)
    if bad:
        raise BackupError(
            f"Checksum mismatch for {', '.join(bad[:5])}: the archive was damaged or changed "
            "after it was made. Nothing was restored."
        )
    if manifest.database_member not in digests:
        raise BackupError(f"The archive holds no {manifest.database_member}.")


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


# --- PostgreSQL client tools ------------------------------------------------------------------


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "(e.g. the postgresql-client package), of the server's major version or newer."
        )
    return path


def pg_connection(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment; the password only ever goes in the environment."""
    args = ["--no-password"]  # never prompt: a cron job would wait for ever
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr[-2000:]}")
