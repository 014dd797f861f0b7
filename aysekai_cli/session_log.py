"""The local session log, `DIR/sessions.log`, in the old tool's format, which the site's import
reads (`meditation/imports/upload.py`, `encrypted_log.py`).

A plain log is CSV: a header, then a row per sitting. A new log's header names the old tool's
six columns and the three this command adds (reflection, seconds, dhikr_count); an existing
log keeps its own header, and a row fills exactly the columns that header names (an old
six-column log keeps no reflection, time or count). An encrypted log, as the old tool wrote it
with encryption on, has no header: each line is the hex of a Fernet token whose plaintext is
the row as JSON (the columns as keys, `name_number` a number), under the key in `DIR/.key`. A
log begun plain can go on encrypted (`--encrypt`): token lines below its header, which the
site reads in the header's columns.

The directory is created 0700, the log and the key 0600. A row is written with one `write`
under an exclusive `flock` (the old tool's lock, so both can share a log), then fsynced.
"""

from __future__ import annotations

import csv
import datetime
import fcntl
import getpass
import io
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from .errors import ConfigurationError

LOG_NAME = "sessions.log"
KEY_NAME = ".key"
ERROR_LOG_NAME = "error.log"
HOME_ENV = "AYSEKAI_HOME"
OLD_COLUMNS = ("timestamp", "user", "prompt", "name_number", "name_transliteration", "session_id")
EXTRA_COLUMNS = ("reflection", "seconds", "dhikr_count")
COLUMNS = (*OLD_COLUMNS, *EXTRA_COLUMNS)
# As the site's importer tells a token line (meditation/imports/upload.py).
ENCRYPTED_LINE = re.compile(r"[0-9a-fA-F]{64,}")
HEAD_MAX = 64 * 1024  # a longer first line is not a log's header (the site's limit too)
USER_MAX = 100  # the site's limit on `user` (meditation/imports/rows.py)


def default_dir() -> Path:
    """`$AYSEKAI_HOME`, or `~/.aysekai` as the old tool used."""
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser() if home else Path.home() / ".aysekai"


@dataclass(frozen=True)
class Entry:
    """One sitting as a row of the log."""

    timestamp: str
    user: str
    prompt: str
    name_number: int
    name_transliteration: str
    session_id: str
    reflection: str = ""
    seconds: int | None = None  # None: not measured (no live countdown)
    dhikr_count: int | None = None

    def value(self, column: str) -> str | int | None:
        return getattr(self, column) if column in COLUMNS else None


def user_name() -> str:
    """The OS user name (as the old tool logged it), within the site's limit."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor the password database
        name = str(os.getuid())
    return name[:USER_MAX]


def new_entry(
    *,
    prompt: str,
    number: int,
    transliteration: str,
    started_at: datetime.datetime,
    reflection: str = "",
    seconds: int | None = None,
    dhikr_count: int | None = None,
) -> Entry:
    return Entry(
        timestamp=started_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        user=user_name(),
        prompt=prompt,
        name_number=number,
        name_transliteration=transliteration,
        session_id=uuid.uuid4().hex,
        reflection=reflection,
        seconds=seconds,
        dhikr_count=dhikr_count,
    )


def _normal(column: str) -> str:
    # As the site reads a header (meditation/imports/upload.py's header_index).
    return column.lstrip("\ufeff").strip().lower()


@dataclass(frozen=True)
class Layout:
    """What the log at hand is: new (nothing in it yet), plain (a CSV header) or encrypted (no
    header, token lines)."""

    header: tuple[str, ...] | None  # its header's cells as written; None without one
    encrypted: bool = False  # a headerless log of token lines
    blank: bool = False  # a file holding only white space (rewritten from its start)

    @property
    def new(self) -> bool:
        return self.header is None and not self.encrypted

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns a row of this log carries."""
        if self.header is None:
            return COLUMNS
        named = {_normal(c) for c in self.header}
        return tuple(c for c in COLUMNS if c in named)

    @property
    def keeps_extras(self) -> bool:
        return all(c in self.columns for c in EXTRA_COLUMNS)


def _layout(path: Path, head: bytes, size: int) -> Layout:
    if not head.strip():
        return Layout(header=None, blank=size > 0)
    first, newline, _ = head.partition(b"\n")
    if not newline and len(head) >= HEAD_MAX:
        raise ConfigurationError(f"{path} is not a session log: its first line is far too long.")
    try:
        line = first.decode("utf-8").lstrip("\ufeff").strip()
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path} is not a session log: it is not UTF-8 text.") from None
    if ENCRYPTED_LINE.fullmatch(line):
        return Layout(header=None, encrypted=True)
    try:
        header = tuple(next(csv.reader([line])))
    except (csv.Error, StopIteration):
        header = ()
    missing = [c for c in OLD_COLUMNS if c not in {_normal(h) for h in header}]
    if missing:
        raise ConfigurationError(
            f"{path} is not a session log: its first line lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
            "Choose another folder with --log-dir."
        )
    return Layout(header=header)


def inspect(directory: Path) -> Layout:
    """The layout of `directory`'s log as it is now (a missing log is new)."""
    path = directory / LOG_NAME
    try:
        with path.open("rb") as log:
            head = log.read(HEAD_MAX)
            size = os.fstat(log.fileno()).st_size
    except FileNotFoundError:
        return Layout(header=None)
    except OSError as error:
        raise ConfigurationError(f"{path} cannot be read ({error.strerror or error}).") from None
    return _layout(path, head, size)


def choose_encryption(layout: Layout, directory: Path, requested: bool | None) -> bool:
    """Whether the row is written encrypted: as asked, or as the log already is.

    Without `--encrypt`/`--no-encrypt` a log that has no CSV header is encrypted when the key
    is there. An encrypted log takes only encrypted rows, and needs its key."""
    key = directory / KEY_NAME
    if layout.encrypted:
        if requested is False:
            raise ConfigurationError(
                f"{directory / LOG_NAME} is encrypted: a plain row cannot go into it. "
                "Leave out --no-encrypt, or choose another folder with --log-dir."
            )
        if not key.exists():
            raise ConfigurationError(
                f"{directory / LOG_NAME} is encrypted, but its key {key} is missing: "
                "without it no new row can be read with the others."
            )
        return True
    if requested is None:
        return layout.new and key.exists()
    return requested


def ensure_dir(directory: Path) -> None:
    """The log's folder, made private (0700) when this creates it."""
    try:
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)  # whatever the umask
    except OSError as error:
        raise ConfigurationError(
            f"The folder {directory} cannot be made ({error.strerror or error}). "
            "Choose another with --log-dir or AYSEKAI_HOME."
        ) from None


def _read_key(path: Path) -> Fernet:
    try:
        return Fernet(path.read_bytes().strip())
    except ValueError:
        raise ConfigurationError(f"{path} is not a key of this log (not a Fernet key).") from None


def load_key(directory: Path, *, create: bool) -> Fernet:
    """The log's key, made (0600) if `create` and missing."""
    path = directory / KEY_NAME
    try:
        return _read_key(path)
    except FileNotFoundError:
        if not create:
            raise ConfigurationError(f"The key {path} is missing.") from None
    except OSError as error:
        raise ConfigurationError(f"{path} cannot be read ({error.strerror or error}).") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another sitting
        return _read_key(path)
    except OSError as error:
        raise ConfigurationError(f"{path} cannot be made ({error.strerror or error}).") from None
    key = Fernet.generate_key()
    try:
        os.fchmod(fd, 0o600)
        _write_all(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return Fernet(key)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _csv_row(layout: Layout, entry: Entry, *, with_header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # csv's default, as the old tool wrote
    header = layout.header if layout.header is not None else COLUMNS
    if with_header:
        writer.writerow(header)
    values = (entry.value(_normal(column)) for column in header)
    writer.writerow("" if v is None else str(v) for v in values)
    return out.getvalue().encode("utf-8")


def _token_row(layout: Layout, entry: Entry, key: Fernet) -> bytes:
    plain = {column: entry.value(column) for column in layout.columns}
    return key.encrypt(json.dumps(plain).encode("utf-8")).hex().encode("ascii") + b"\n"


@dataclass(frozen=True)
class Written:
    path: Path
    encrypted: bool
    key: Path | None
    kept_extras: bool


def append(directory: Path, entry: Entry, requested: bool | None) -> Written:
    """Append the entry to the log, deciding its form under the lock from the log itself."""
    ensure_dir(directory)
    path = directory / LOG_NAME
    existed = path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as error:
        raise ConfigurationError(f"{path} cannot be written ({error.strerror or error}).") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        head = os.pread(fd, HEAD_MAX, 0) if size else b""
        layout = _layout(path, head, size)
        encrypt = choose_encryption(layout, directory, requested)
        key = load_key(directory, create=True) if encrypt else None
        data = b""
        if layout.blank:
            os.ftruncate(fd, 0)
        elif size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n"  # the last line was left unended: end it first
        if key is not None:
            data += _token_row(layout, entry, key)
        else:
            data += _csv_row(layout, entry, with_header=layout.new)
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    if not existed:
        _sync_dir(directory)
    return Written(
        path=path,
        encrypted=encrypt,
        key=directory / KEY_NAME if encrypt else None,
        kept_extras=layout.keeps_extras,
    )


def _sync_dir(directory: Path) -> None:
    """Make the new file's name durable too."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
