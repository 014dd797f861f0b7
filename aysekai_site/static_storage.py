"""The static files' storage outside DEBUG: whitenoise's compressed manifest storage, with the
URL of each name remembered (issue 13).

Every page asks for the same few URLs (the stylesheet, htmx, the icon, a font), and working one
out (`ManifestStaticFilesStorage.url`: the name cleaned, looked up in the manifest, joined to
STATIC_URL) costs tens of microseconds each time. The manifest is read once when the process
starts and never changes under it (a deploy is a new process), so neither does a name's URL.
A name the manifest lacks raises as before and is not remembered.
"""

from __future__ import annotations

import threading

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}
        self._urls_lock = threading.Lock()

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        known = self._urls.get(name)
        if known is None:
            known = super().url(name, force)
            with self._urls_lock:
                self._urls[name] = known
        return known
