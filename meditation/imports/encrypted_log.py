"""The command-line tool's encrypted session log, decrypted in memory with its key file.

With `session_log_encryption` on, the tool wrote each session as one line: the hex of a Fernet
token whose plaintext is the session as JSON (the log's six columns as keys, `name_number` a
number). That log has no header line, so its row N is line N of the file. The tool kept the key
in `.key` beside the log. A log begun plain and encrypted later is a plain log (header = row 1)
whose later lines are tokens; a token line is decrypted into the header's column order.

The key decrypts the upload during the request and is then dropped: it is never stored, logged,
audited or reported, and the decrypted rows never touch the disk (they go straight to the
import, whose journal text the model encrypts at rest).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from .upload import COLUMNS, ENCRYPTED_LINE, OPTIONAL_COLUMNS, header_index

# A Fernet key is 44 characters; a file much longer than that is something else.
KEY_MAX_BYTES = 1024
NOT_A_KEY = gettext_lazy(
    "This is not the tool's key file. Choose the file named .key that lies beside the "
    "encrypted log: one line of 44 letters, digits, - and _."
)
WRONG_KEY = gettext_lazy(
    "This key does not decrypt any line of the log. Choose the .key file from the same folder "
    "as this log: a key from another folder does not fit."
)
KEY_NOT_NEEDED = gettext_lazy(
    "The log was not encrypted, so its key file was not needed (and was not kept)."
)
KEY_NOT_LOG = gettext_lazy(
    "This is the key file (.key), not the session log. Choose the log as the session log, "
    "and the key file below it."
)
DAMAGED = "the row is encrypted but damaged (not whole hexadecimal), so it cannot be decrypted"
NOT_DECRYPTED = (
    "the row cannot be decrypted with this key (it is damaged, or was encrypted with another key)"
)
NOT_A_SESSION = "the row decrypts, but not to a session of the tool's log"

Record = tuple[int, list[str] | str]  # (row, its fields) or (row, why it cannot be read)


@dataclass
class DecryptedLog:
    """The upload's rows, decrypted where they were encrypted, numbered as the report numbers
    them; a row that could not be decrypted is the reason why, instead of its fields."""

    index: dict[str, int]
    records: list[Record] = field(default_factory=list)
    encrypted: int = 0
    decrypted: int = 0


def key_of(data: bytes) -> Fernet | None:
    """The Fernet key these bytes hold (surrounding spaces and line ends allowed), or None."""
    if len(data) > KEY_MAX_BYTES:
        return None
    try:
        return Fernet(data.decode("utf-8-sig").strip())
    except ValueError:  # not UTF-8, not base64, or not 32 bytes
        return None


def read_key(upload: UploadedFile) -> Fernet:
    """The key of an uploaded key file, or a ValidationError that never quotes it."""
    size = upload.size or 0
    key = key_of(b"".join(upload.chunks())) if size <= KEY_MAX_BYTES else None
    if key is None:
        raise ValidationError(NOT_A_KEY, code="not_a_key")
    return key


def decrypt_log(chunks: Iterable[bytes], key: Fernet, *, headerless: bool) -> DecryptedLog:
    """Read an inspected upload (UTF-8, the right header unless `headerless`) into rows.

    Raises ValidationError when the key decrypts none of the log's encrypted lines (the wrong
    key), or when the file stops being readable CSV.
    """
    text = b"".join(chunks).decode("utf-8").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    row = 0
    try:
        if headerless:
            every = (*COLUMNS, *OPTIONAL_COLUMNS)
            log, start = DecryptedLog(index={c: i for i, c in enumerate(every)}), 1
        else:
            log, start = DecryptedLog(index=header_index(next(reader))), 2
            row = 1
        width = max(log.index.values()) + 1
        for row, fields in enumerate(reader, start=start):
            if len(fields) == 1 and ENCRYPTED_LINE.fullmatch(fields[0].strip()):
                record = _decrypt(fields[0].strip(), key, log.index, width)
                log.encrypted += 1
                log.decrypted += not isinstance(record, str)
                log.records.append((row, record))
            else:
                log.records.append((row, fields))
    except csv.Error:
        raise ValidationError(
            f"The file is not well-formed CSV near row {row + 1}.", code="csv"
        ) from None
    if log.encrypted and not log.decrypted:
        raise ValidationError(WRONG_KEY, code="wrong_key")
    return log


def _decrypt(line: str, key: Fernet, index: dict[str, int], width: int) -> list[str] | str:
    """One token line as the row's fields in the header's order, or why it cannot be."""
    try:
        token = bytes.fromhex(line)
    except ValueError:
        return DAMAGED
    try:
        plain = key.decrypt(token)
    except InvalidToken:
        return NOT_DECRYPTED
    try:
        entry = json.loads(plain)
    except ValueError:  # not UTF-8 or not JSON
        return NOT_A_SESSION
    if not isinstance(entry, dict):
        return NOT_A_SESSION
    fields = [""] * width
    for column in (*COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in index)):
        value = entry.get(column)
        if isinstance(value, bool) or not isinstance(value, str | int | None):
            return NOT_A_SESSION
        fields[index[column]] = "" if value is None else str(value)
    return fields
