"""The second backend the private files are tested on, and the local path of a stored file."""

import io
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from meditation import private_files

MEMORY = {"BACKEND": "tests.private_storage.MemoryStorage"}


class MemoryStorage(Storage):
    """Files kept in a dict, as an object store keeps them: no path on this machine, a save
    replaces the object of that name whole, and every open is a reader of its own."""

    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def _open(self, name, mode="rb"):
        if name not in self.objects:
            raise FileNotFoundError(name)
        return ContentFile(self.objects[name], name=name)

    def _save(self, name, content):
        buffer = io.BytesIO()
        for chunk in content.chunks():
            buffer.write(chunk)
        self.objects[name] = buffer.getvalue()
        return name

    def get_available_name(self, name, max_length=None):
        return name  # overwrite, as S3Storage does by default

    def exists(self, name):
        return name in self.objects

    def delete(self, name):
        self.objects.pop(name, None)

    def size(self, name):
        return len(self.objects[name])

    def listdir(self, path):
        prefix = f"{path.rstrip('/')}/" if path else ""
        names = [n[len(prefix) :] for n in self.objects if n.startswith(prefix)]
        return sorted({n.split("/")[0] for n in names if "/" in n}), sorted(
            n for n in names if "/" not in n
        )


def local_path(name: str) -> Path:
    """Where the file system storage keeps `name` (for tests of what lies on the disk)."""
    return Path(private_files.storage().path(name))
