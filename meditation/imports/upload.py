"""Inspecting an uploaded session log before any job exists: UTF-8 text, the required columns,
at least one row; the encrypted variant is told apart (code "encrypted"), to be read with its
key (`encrypted_log`)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

COLUMNS = ("timestamp", "user", "prompt", "name_number", "name_transliteration", "session_id")
# Read when present (the `aysekai` command writes them after the six; the old tool never did):
# the reflection, the time sat in seconds and the dhikr count.
OPTIONAL_COLUMNS = ("reflection", "seconds", "dhikr_count")
# The first line is the header; a longer one is not a session log.
HEAD_MAX = 64 * 1024
ENCRYPTED_ERROR = _(
    "This is the tool's encrypted session log. To import it, also choose its key file: "
    "the file named .key in the same folder as the log."
)

# The encrypted log: each line is the hex of a Fernet token ("gAAAAA…" is 674141414141…).
ENCRYPTED_LINE = re.compile(r"[0-9a-fA-F]{64,}")
# The files an upload is most often instead of a log, each refused in a sentence of its own.
_BINARY_SIGNATURES = {
    b"\x89PNG": _(
        "This is a PNG image, not a text file. Upload the session log (a CSV text file)."
    ),
    b"\xff\xd8\xff": _(
        "This is a JPEG image, not a text file. Upload the session log (a CSV text file)."
    ),
    b"GIF8": _("This is a GIF image, not a text file. Upload the session log (a CSV text file)."),
    b"%PDF-": _(
        "This is a PDF document, not a text file. Upload the session log (a CSV text file)."
    ),
    b"PK\x03\x04": _(
        "This is a ZIP archive, not a text file. Upload the session log (a CSV text file)."
    ),
    b"\x1f\x8b": _(
        "This is a gzip archive, not a text file. Upload the session log (a CSV text file)."
    ),
}
BINARY_FILE = _("This is a binary file, not a text file. Upload the session log (a CSV text file).")


def _binary_error(message: str | Promise = BINARY_FILE) -> ValidationError:
    return ValidationError(str(message), code="binary")


def inspect_upload(chunks: Iterable[bytes]) -> None:
    """Raise ValidationError unless the bytes are a UTF-8 session log with the right header.

    Streams the whole upload once, so that a bad byte anywhere is refused before any job exists.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    head, head_done, has_rows, first = "", False, False, True
    for chunk in chunks:
        if first:
            first = False
            for signature, message in _BINARY_SIGNATURES.items():
                if chunk.startswith(signature):
                    raise _binary_error(message)
        if b"\x00" in chunk:
            raise _binary_error()
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            raise _not_utf8() from None
        if not head_done:
            head += text
            if "\n" in head:
                head, rest = head.split("\n", 1)
                head_done, has_rows = True, bool(rest.strip())
            elif len(head) > HEAD_MAX:
                raise ValidationError(
                    gettext("The first line is far too long to be the log's header."),
                    code="header",
                )
        elif not has_rows:
            has_rows = bool(text.strip())
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _not_utf8() from None
    head = head.lstrip("\ufeff").strip()
    if not head:
        raise ValidationError(gettext("The file is empty."), code="empty")
    if ENCRYPTED_LINE.fullmatch(head):
        raise ValidationError(ENCRYPTED_ERROR, code="encrypted")
    missing = [c for c in COLUMNS if c not in header_index(next(csv.reader([head])))]
    if missing:
        columns_message = ngettext(
            "The header lacks the column %(missing)s. The first line must name the columns "
            "%(columns)s.",
            "The header lacks the columns %(missing)s. The first line must name the columns "
            "%(columns)s.",
            len(missing),
        )
        values = {"missing": ", ".join(missing), "columns": ",".join(COLUMNS)}
        raise ValidationError(columns_message % values, code="columns")
    if not has_rows:
        raise ValidationError(
            gettext("The log has a header but no sessions below it."), code="no_rows"
        )


def _not_utf8() -> ValidationError:
    return ValidationError(
        gettext(
            "The file is not UTF-8 text. Save the log as a UTF-8 CSV file and upload it again."
        ),
        code="encoding",
    )


def header_index(header: list[str]) -> dict[str, int]:
    """Column name (trimmed, lower case) → position; the first of repeated names wins."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.lstrip("\ufeff").strip().lower(), position)
    return index
