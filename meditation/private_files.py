"""Private files (exports, uploads): under PRIVATE_STORAGE_ROOT, never under a public URL.

Every file is encrypted with FIELD_ENCRYPTION_KEYS (the chunked container of
`meditation.crypto`): code writes and reads plaintext through `atomic_write` and `open_plain`,
and the disk (and so every backup) holds only ciphertext.

Files are written to a temporary name beside the target and renamed into place, so a reader
never sees half a file and a crash leaves at most a stale temporary, which the next attempt
removes.
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
from typing import BinaryIO, Literal

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation

from . import crypto
from .crypto import SealedFileError

TEMP_SUFFIX = ".tmp"


def root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def path_of(relative: str) -> Path:
    """The absolute path of a stored file, refusing anything that escapes the root."""
    base = root().resolve()
    target = (base / relative).resolve()
    if base not in target.parents:
        raise SuspiciousFileOperation(f"{relative!r} is outside private storage.")
    return target


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def remove_stale_temps(relative: str) -> int:
    """Remove temporaries left by an earlier, interrupted write of this file."""
    target = path_of(relative)
    if not target.parent.exists():
        return 0
    stale = [
        p
        for p in target.parent.iterdir()
        if p.name.startswith(_temp_prefix(target)) and p.name.endswith(TEMP_SUFFIX)
    ]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


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
    """Write `relative` encrypted and atomically: a temporary beside it, fsync, then rename.

    The stream takes plaintext and counts and hashes it (`size`, `digest`).
    """
    target = path_of(relative)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = target.with_name(f"{_temp_prefix(target)}{secrets.token_hex(6)}{TEMP_SUFFIX}")
    try:
        with open(temp, "xb") as raw:
            os.chmod(temp, 0o600)
            sealed = crypto.SealingWriter(raw, relative)
            writer = HashingWriter(sealed)
            yield writer
            sealed.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def open_plain(relative: str) -> io.BufferedReader:
    """The plaintext of a stored file, decrypted a chunk at a time as it is read.

    A read raises SealedFileError if the file is damaged, changed or its key is missing.
    """
    return _buffered(_sealed_reader(relative))


def _sealed_reader(relative: str) -> crypto.SealedReader:
    return crypto.SealedReader(open(path_of(relative), "rb"), relative)


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
    path = path_of(relative)
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, or by the reader)
    except FileNotFoundError:
        return "missing"
    with raw:
        state = crypto.key_state(raw)
        if state == "current":
            return "current"
        source: BinaryIO | crypto.SealedReader = raw
        if state == "old":
            source = crypto.SealedReader(raw, relative)
        else:
            raw.seek(0)
        try:
            with atomic_write(relative) as out:
                shutil.copyfileobj(source, out, crypto.CHUNK)
                # Deleted meanwhile (an import that just finished): do not bring it back.
                if not path.exists():
                    raise _Vanished
        except _Vanished:
            return "missing"
    return "rewritten"


def delete(relative: str) -> None:
    if relative:
        path_of(relative).unlink(missing_ok=True)
        remove_stale_temps(relative)
