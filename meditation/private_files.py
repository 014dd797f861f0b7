"""Private files (exports, uploads): under PRIVATE_STORAGE_ROOT, never under a public URL.

Files are written to a temporary name beside the target and renamed into place, so a reader
never sees half a file and a crash leaves at most a stale temporary, which the next attempt
removes.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from collections.abc import Buffer, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation

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
    """A write-only binary stream that also counts bytes and computes SHA-256."""

    def __init__(self, raw: BinaryIO) -> None:
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
    """Write `relative` atomically: a temporary beside it, fsync, then rename into place."""
    target = path_of(relative)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = target.with_name(f"{_temp_prefix(target)}{secrets.token_hex(6)}{TEMP_SUFFIX}")
    try:
        with open(temp, "xb") as raw:
            os.chmod(temp, 0o600)
            writer = HashingWriter(raw)
            yield writer
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def delete(relative: str) -> None:
    if relative:
        path_of(relative).unlink(missing_ok=True)
        remove_stale_temps(relative)
