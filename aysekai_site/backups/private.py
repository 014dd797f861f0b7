"""The private files (exports, uploads in the private storage's folder): listed for an archive,
checked for what the keys can read, and replaced as a whole by a restore.

Only a private storage on this machine's disk (the default) is in an archive; one elsewhere (an
S3 bucket) is backed up by its own provider's means, and an archive then holds the database.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from meditation import crypto
from meditation.private_files import TEMP_SUFFIX, is_encrypted, local_root

from . import BackupError


def private_root() -> Path | None:
    """The private storage's folder, or None when it is not on this machine's disk."""
    return local_root()


def private_files(root: Path | None) -> Iterator[tuple[str, Path]]:
    """(relative POSIX name, path) of every stored file under root, in a stable order."""
    if root is None or not root.is_dir():
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


def unencrypted_files(root: Path | None) -> list[str]:
    """Files not in the encrypted container: written before private files were encrypted."""
    return [relative for relative, path in private_files(root) if not is_encrypted(path)]


def unreadable_files(root: Path | None) -> list[str]:
    """Encrypted files whose first frame no key of FIELD_ENCRYPTION_KEYS opens."""
    unreadable = []
    for relative, path in private_files(root):
        with open(path, "rb") as raw:
            try:
                crypto.key_state(raw)
            except crypto.SealedFileError:
                unreadable.append(relative)
    return unreadable


def replace_private_files(staged: Path | None, root: Path | None) -> None:
    """Make root hold exactly the staged files (nothing, if the backup had none)."""
    if root is None:
        if staged is not None and any(staged.iterdir()):
            raise BackupError(
                "The archive holds private files, but the private storage is not on this "
                "machine's disk: copy them into it from the archive's private/ folder."
            )
        return
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Built inside root so the final moves are renames on one filesystem, even when root is a
    # mounted volume; a failure while copying leaves the current files untouched.
    incoming = root / f".restore-{secrets.token_hex(6)}"
    try:
        if staged is None:
            incoming.mkdir(mode=0o700)
        else:
            shutil.copytree(staged, incoming)
        # As meditation.private_files writes them (0700 directories, 0600 files).
        for directory, _dirnames, filenames in os.walk(incoming):
            os.chmod(directory, 0o700)
            for filename in filenames:
                os.chmod(Path(directory) / filename, 0o600)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    for child in root.iterdir():
        if child == incoming:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in incoming.iterdir():
        os.replace(child, root / child.name)
    incoming.rmdir()
