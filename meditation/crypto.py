"""Encryption at rest for journal text (Fernet, with key rotation): fields and files.

FIELD_ENCRYPTION_KEYS holds one or more Fernet keys, comma-separated: the first encrypts,
all of them decrypt, so a new key can be put first and old rows and files re-encrypted later
(`manage.py rotate_field_keys` reads with any key and writes with the first).

Files (exports, uploads waiting to be imported) are written in a chunked container, so that
neither writing nor reading ever holds more than one chunk: see `SealingWriter`, `SealedReader`
and docs/export-format.md ("At rest").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from collections.abc import Buffer
from functools import cache
from typing import Any, BinaryIO, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.dispatch import receiver
from django.test.signals import setting_changed


@cache
def fernet() -> MultiFernet:
    # Settings have already refused a missing or malformed key.
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


@cache
def first_key() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0])


def person_mac(context: bytes, user_id: int, field_key: str | None = None) -> hmac.HMAC:
    """An HMAC-SHA256 under a key of the person's own for one purpose (`context`), derived from
    a field key (the first, the one every write uses, unless given): the same input of two
    people, or for two purposes, gives unrelated digests, and without the keys a digest says
    nothing. The search index's tokens and the journal list cache's keys come from here."""
    raw = base64.urlsafe_b64decode(field_key or settings.FIELD_ENCRYPTION_KEYS[0])
    key = hmac.digest(
        hmac.digest(raw, context, hashlib.sha256), f"user {user_id}".encode(), "sha256"
    )
    return hmac.new(key, digestmod=hashlib.sha256)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "Journal text cannot be decrypted with FIELD_ENCRYPTION_KEYS: "
            "is a key that encrypted it missing from the list?"
        ) from None


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plaintext.

    An empty string is stored as an empty string (nothing to hide, and it keeps "no reflection"
    cheap to test). The column cannot be searched or ordered by the database.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


@receiver(setting_changed)
def _forget_keys(setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        fernet.cache_clear()
        first_key.cache_clear()


# --- Files: the chunked container -------------------------------------------------------------
#
#   file   = MAGIC (15 bytes) VERSION (1 byte) frame+
#   frame  = length (4 bytes, big-endian) token (`length` bytes: a Fernet token, base64url)
#   token plaintext = name (16) file id (16) index (8, big-endian) last (1) data (<= CHUNK)
#
# `name` is the first 16 bytes of the SHA-256 of the file's path in private storage, `file id`
# 16 random bytes shared by every frame of one file, `index` counts frames from 0 and `last` is
# 1 in the final frame only. A reader checks all four, so frames cannot be reordered, dropped
# from the end, mixed between files or moved to another file's name without the keys.

MAGIC = b"AYSEKAI-SEALED\n"
VERSION = 1
HEAD = MAGIC + bytes([VERSION])
CHUNK = 64 * 1024  # plaintext bytes per frame
_FRAME_HEADER = 16 + 16 + 8 + 1
_LENGTH = 4


def _token_length(plaintext: int) -> int:
    # version, timestamp, IV, AES-CBC with PKCS7 padding, HMAC; then base64 with padding.
    raw = 1 + 8 + 16 + (plaintext // 16 + 1) * 16 + 32
    return 4 * -(-raw // 3)


MAX_TOKEN = _token_length(_FRAME_HEADER + CHUNK)


class SealedFileError(Exception):
    """A private file that cannot be read back: damaged, changed, or its key is not configured.

    The message is for operators (logs); never show it to the person as it is.
    """


class NotSealedError(SealedFileError):
    """A file without the container's header: written before files were encrypted."""


def _name_digest(name: str) -> bytes:
    return hashlib.sha256(name.encode("utf-8")).digest()[:16]


class SealingWriter(io.BufferedIOBase):
    """Plaintext in, the container out, one frame per CHUNK bytes; `finish()` writes the last.

    At most CHUNK bytes of plaintext are held: a frame is written once the next byte arrives
    (only then is it known not to be the last).
    """

    def __init__(self, raw: BinaryIO, name: str) -> None:
        super().__init__()
        self.raw = raw
        self._name = _name_digest(name)
        self._file_id = secrets.token_bytes(16)
        self._index = 0
        self._buffer = bytearray()
        self._finished = False
        raw.write(HEAD)

    @property
    def name(self) -> str:
        return str(self.raw.name)

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        if self._finished:
            raise ValueError("write to a finished sealed file")
        view = memoryview(data).cast("B")
        written = len(view)
        while view:
            if len(self._buffer) == CHUNK:
                self._frame(last=False)
            room = CHUNK - len(self._buffer)
            self._buffer += view[:room]
            view = view[room:]
        return written

    def flush(self) -> None:
        # Never writes a frame: text wrappers flush often, and a frame is only final at the end.
        if not self.raw.closed:
            self.raw.flush()

    def finish(self) -> None:
        """Write the last frame (possibly empty, for an empty file)."""
        if not self._finished:
            self._frame(last=True)
            self._finished = True

    def _frame(self, *, last: bool) -> None:
        header = self._name + self._file_id + self._index.to_bytes(8, "big") + bytes([last])
        token = fernet().encrypt(header + bytes(self._buffer))
        self.raw.write(len(token).to_bytes(_LENGTH, "big"))
        self.raw.write(token)
        self._buffer.clear()
        self._index += 1


class SealedReader(io.RawIOBase):
    """The plaintext of a container, decrypted one frame at a time as it is read.

    Raises SealedFileError on the read that meets a problem. Closing it closes `raw`.
    """

    def __init__(self, raw: BinaryIO, name: str) -> None:
        super().__init__()
        self.raw = raw
        self._name = _name_digest(name)
        self.rewind()

    def rewind(self) -> None:
        """Start again from the beginning (`raw` must be seekable)."""
        self.raw.seek(0)
        self._started = self._done = False
        self._file_id: bytes | None = None
        self._index = 0
        self._plain = b""
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer, /) -> int:
        while self._position >= len(self._plain):
            if self._done:
                return 0
            self._next_frame()
        view = memoryview(buffer).cast("B")
        count = min(len(view), len(self._plain) - self._position)
        view[:count] = self._plain[self._position : self._position + count]
        self._position += count
        return count

    def close(self) -> None:
        super().close()
        self.raw.close()

    def _read_exact(self, size: int, what: str) -> bytes:
        data = b""
        while len(data) < size:
            more = self.raw.read(size - len(data))
            if not more:
                raise SealedFileError(f"The file is truncated (in {what}).")
            data += more
        return data

    def _next_frame(self) -> None:
        if not self._started:
            check_head(self._read_head())
            self._started = True
        length = int.from_bytes(self._read_exact(_LENGTH, f"frame {self._index}'s length"), "big")
        if not 0 < length <= MAX_TOKEN:
            raise SealedFileError(f"Frame {self._index} has an impossible length ({length}).")
        token = self._read_exact(length, f"frame {self._index}")
        try:
            plain = fernet().decrypt(token)
        except InvalidToken:
            raise SealedFileError(
                f"Frame {self._index} cannot be decrypted with FIELD_ENCRYPTION_KEYS: the file "
                "was changed, or the key that wrote it is no longer in the list."
            ) from None
        name, file_id = plain[:16], plain[16:32]
        index, last = int.from_bytes(plain[32:40], "big"), plain[40]
        if name != self._name:
            raise SealedFileError("The file was written under another name (moved or swapped).")
        if self._file_id is None:
            self._file_id = file_id
        if file_id != self._file_id or index != self._index or last not in (0, 1):
            raise SealedFileError(f"Frame {self._index} is out of place (frames were changed).")
        if len(plain) - _FRAME_HEADER > CHUNK:
            raise SealedFileError(f"Frame {self._index} is longer than a chunk.")
        self._plain, self._position = plain[_FRAME_HEADER:], 0
        self._index += 1
        if last:
            self._done = True
            if self.raw.read(1):
                raise SealedFileError("There is data after the last frame.")

    def _read_head(self) -> bytes:
        head = self.raw.read(len(HEAD))
        while len(head) < len(HEAD) and (more := self.raw.read(len(HEAD) - len(head))):
            head += more
        return head


def check_head(head: bytes) -> None:
    """Refuse what is not this container, in a version this code reads."""
    if head == HEAD:
        return
    if head.startswith(MAGIC):
        raise SealedFileError(f"Unknown container version {head[len(MAGIC)]} (newer code?).")
    raise NotSealedError("The file is not encrypted (written before private files were).")


def key_state(raw: BinaryIO) -> Literal["current", "old", "plain"]:
    """Whether a file is sealed with the first key, with another configured one, or not at all.

    Looks at the first frame only (a file is written with one key); raises SealedFileError
    when no configured key opens it.
    """
    try:
        check_head(raw.read(len(HEAD)))
    except NotSealedError:
        return "plain"
    length = int.from_bytes(raw.read(_LENGTH), "big")
    token = raw.read(min(length, MAX_TOKEN))
    try:
        first_key().decrypt(token)
        return "current"
    except InvalidToken:
        pass
    try:
        fernet().decrypt(token)
    except InvalidToken:
        raise SealedFileError("No key in FIELD_ENCRYPTION_KEYS opens the file.") from None
    return "old"
