"""Writing and reading archives: the .tar.gz, written atomically with every member hashed as it
is added, and extracted into a staging directory and checked against its manifest."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import os
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from . import CHUNK, BackupError
from .database import dump_database
from .manifest import DATABASE_MEMBERS, MANIFEST, PRIVATE_DIR, Manifest, migration_state
from .private import private_files, private_root

MANIFEST_MAX_BYTES = 64 * 1024 * 1024


def resolve_output(output: str | None, now: datetime.datetime) -> Path:
    """The archive's path: the default name under var/backups/, or inside a given directory."""
    name = f"aysekai-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if output is None:
        return Path(settings.VAR_DIR) / "backups" / name
    if output.endswith(os.sep) or Path(output).is_dir():
        return Path(output) / name
    return Path(output)


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
            for relative, path in private_files(private_root()):
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
        tar.addfile(info, reader)
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
