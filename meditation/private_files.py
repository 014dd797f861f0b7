"""Private files (exports, uploads waiting to be imported): kept in the storage under the
`private` alias of STORAGES, never under a public URL. This is the one module that talks to
that storage.

By default it is `PrivateStorage`, the file system under PRIVATE_STORAGE_ROOT (0600 files,
0700 directories); any Django storage that overwrites a name on save (django-storages' S3
backend, for one) can take its place by settings alone (docs/deployment.md).

Every file is encrypted with FIELD_ENCRYPTION_KEYS (the chunked container of
`meditation.crypto`): code writes and reads plaintext through `atomic_write` and `open_plain`,
and the storage (and so every backup) holds only ciphertext.

A file is written whole to a local temporary first and then handed to the storage in one
save: on the file system a rename into place, on an object store one upload. A reader never
sees half a file, and a crash leaves at most a stale temporary, which the next attempt removes.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import tempfile
from collections.abc import Buffer, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

from . import crypto
from .crypto import SealedFileError

TEMP_SUFFIX = ".tmp"
ALIAS = "private"


class PrivateStorage(FileSystemStorage):
    """The file system under PRIVATE_STORAGE_ROOT (followed when the setting changes), files
    0600 and directories 0700, a save replacing the file of that name (a retried export)."""

    def __init__(self, location: str | None = None, **options: Any) -> None:
        self.root = location  # None: PRIVATE_STORAGE_ROOT, as it is at the time
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        options.setdefault("allow_overwrite", True)
        super().__init__(**options)

    @property
    def base_location(self) -> str:
        return str(self.root or settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def storage() -> Storage:
    return storages[ALIAS]


def local_root() -> Path | None:
    """The folder of the private files on this machine's disk (backups read it), or None
    when the storage is elsewhere."""
    store = storage()
    return Path(store.location) if isinstance(store, FileSystemStorage) else None


def _local_path(relative: str) -> Path | None:
    """Where the file lies on this machine's disk, if the storage is the file system (raises
    SuspiciousFileOperation for a name outside it)."""
    store = storage()
    return Path(store.path(relative)) if isinstance(store, FileSystemStorage) else None


def _temp_prefix(relative: str) -> str:
    return f".{Path(relative).name}."


def remove_stale_temps(relative: str) -> int:
    """Remove temporaries left beside a file by an earlier, interrupted write of it (on the
    file system; elsewhere the temporaries are in the system's temporary directory)."""
    target = _local_path(relative)
    if target is None or not target.parent.exists():
        return 0
    prefix = _temp_prefix(relative)
    stale = [
        p
        for p in target.parent.iterdir()
        if p.name.startswith(prefix) and p.name.endswith(TEMP_SUFFIX)
    ]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


class _Finished(File):
    """A complete temporary, which the file system storage renames into place."""

    def temporary_file_path(self) -> str:
        return str(self.name)


class HashingWriter(io.BufferedIOBase):
    """A write-only binary stream that also counts bytes and computes SHA-256.

    Under `atomic_write` it sees the plaintext: the size and SHA-256 recorded for an export are
    those of the file the person downloads, not of the ciphertext on disk.
    """

    def __init__(self, raw: crypto.SealingWriter) -> None:
        super().__init__()
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    @property
    def name(self) -> str:
        return str(self.raw.name)

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        view = memoryview(data).cast("B")
        self.digest.update(view)
        self.size += len(view)
        self.raw.write(view)
        return len(view)

    def flush(self) -> None:
        if not self.raw.closed:
            self.raw.flush()

    def tell(self) -> int:
        return self.size


@contextmanager
def atomic_write(relative: str) -> Iterator[HashingWriter]:
    """Write `relative` encrypted and atomically: a temporary (beside the target on the file
    system), fsync, then one save into the storage.

    The stream takes plaintext and counts and hashes it (`size`, `digest`).
    """
    target = _local_path(relative)
    folder = None
    if target is not None:
        folder = target.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(relative), suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as raw:
            sealed = crypto.SealingWriter(raw, relative)
            writer = HashingWriter(sealed)
            yield writer
            sealed.finish()
            raw.flush()
            os.fsync(raw.fileno())
        with open(temp, "rb") as complete:
            saved = storage().save(relative, _Finished(complete, name=temp))
        if saved != relative:
            storage().delete(saved)
            raise ImproperlyConfigured(
                f"The {ALIAS!r} storage saved {relative!r} as {saved!r}: it must overwrite a "
                "file of the same name (FileSystemStorage's allow_overwrite, S3's file_overwrite)."
            )
    finally:
        Path(temp).unlink(missing_ok=True)  # moved into place, or a failure's remains


def exists(relative: str) -> bool:
    return bool(relative) and storage().exists(relative)


def open_plain(relative: str) -> io.BufferedReader:
    """The plaintext of a stored file, decrypted a chunk at a time as it is read.

    A read raises SealedFileError if the file is damaged, changed or its key is missing;
    opening it raises FileNotFoundError if it is not there.
    """
    return _buffered(_sealed_reader(relative))


def _open_stored(relative: str) -> BinaryIO:
    return cast(BinaryIO, storage().open(relative, "rb"))


def _sealed_reader(relative: str) -> crypto.SealedReader:
    return crypto.SealedReader(_open_stored(relative), relative)


def _buffered(reader: crypto.SealedReader) -> io.BufferedReader:
    return io.BufferedReader(reader, buffer_size=crypto.CHUNK)


def open_verified(relative: str, *, size: int, sha256: str) -> io.BufferedReader:
    """`open_plain`, after one full pass has checked every frame and the recorded size and
    SHA-256 of the plaintext: a problem is found before the first byte is sent, not half-way.

    Both passes read the same open file, so a rename over it in between changes nothing.
    """
    reader = _sealed_reader(relative)
    try:
        digest, count = hashlib.sha256(), 0
        while block := reader.read(crypto.CHUNK):
            digest.update(block)
            count += len(block)
        if (count, digest.hexdigest()) != (size, sha256):
            raise SealedFileError(
                "The plaintext does not match the size and SHA-256 recorded when it was written."
            )
        reader.rewind()
    except BaseException:
        reader.close()
        raise
    return _buffered(reader)


class SealedSpool(io.BufferedIOBase):
    """A temporary file that holds plaintext only encrypted: written once, then read back
    (`chunks`), a chunk at a time. It has no name on disk (deleted as soon as it is made), so
    nothing is left behind even by a killed worker; a one-pass ZIP keeps its later members here.
    """

    def __init__(self) -> None:
        super().__init__()
        self._raw = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._name = f"spool/{secrets.token_hex(8)}"
        self._sealed = crypto.SealingWriter(self._raw, self._name)

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        return self._sealed.write(data)

    def flush(self) -> None:
        if not self._raw.closed:
            self._raw.flush()

    def chunks(self) -> Iterator[bytes]:
        """The plaintext written, from the start, in blocks of at most crypto.CHUNK bytes."""
        self._sealed.finish()
        self._raw.flush()
        reader = crypto.SealedReader(self._raw, self._name)  # rewinds to the start
        while block := reader.read(crypto.CHUNK):
            yield block

    def close(self) -> None:
        super().close()
        self._raw.close()


@contextmanager
def sealed_spool() -> Iterator[SealedSpool]:
    spool = SealedSpool()
    try:
        yield spool
    finally:
        spool.close()


def is_encrypted(path: Path) -> bool:
    """Whether a file on disk starts with the container's header (the backups check this)."""
    with open(path, "rb") as raw:
        return raw.read(len(crypto.HEAD)).startswith(crypto.MAGIC)


class _Vanished(Exception):
    pass


def reencrypt(relative: str) -> Literal["rewritten", "current", "missing"]:
    """Rewrite a stored file with the first key of FIELD_ENCRYPTION_KEYS (`rotate_field_keys`).

    A file already under the first key is left alone; one written before files were encrypted
    is encrypted now. The plaintext, so the recorded size and SHA-256, stay the same. Raises
    SealedFileError, leaving the file as it was, when no configured key reads it.
    """
    try:
        raw = _open_stored(relative)
    except FileNotFoundError:
        return "missing"
    with raw:
        state = crypto.key_state(raw)
        if state == "current":
            return "current"
        source: IO[bytes] | crypto.SealedReader = raw
        if state == "old":
            source = crypto.SealedReader(raw, relative)
        else:
            raw.seek(0)
        try:
            with atomic_write(relative) as out:
                shutil.copyfileobj(source, out, crypto.CHUNK)
                # Deleted meanwhile (an import that just finished): do not bring it back.
                if not storage().exists(relative):
                    raise _Vanished
        except _Vanished:
            return "missing"
    return "rewritten"


def delete(relative: str) -> None:
    if relative:
        storage().delete(relative)
        remove_stale_temps(relative)
