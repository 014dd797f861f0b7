"""Names for the state of some data, and of the code, that stored pages are checked against.

`SharedVersion`: a short string that changes whenever the data it stands for is written, kept
in the shared cache so that reading it costs no query. A write anywhere (a web process, a
worker, a management command) calls `bump()`, which every process sees at its next read. A
version the cache has lost (expired, evicted, flushed) is computed again from the data.

- **Bumped twice**: at once, and again when the writing transaction commits. The first makes a
  page rendered before the write stop matching within the writing process; the second retires
  any page another process rendered between the first bump and the commit (it could not see the
  uncommitted rows). A bump is a fresh random value, never a value computed from the data: a
  reader that computed the old state a moment before a write could otherwise store it back
  over the write's bump (`compute` is only ever `add`ed, which never overwrites).
- **A short timeout** (a minute): a bump lost while the cache was unreachable, with the cache
  keeping its old value, is put right by the next computation from the data.
- **A process-local cache** (locmem, the development default; dummy) is not shared: another
  process would never see a bump. There the version is computed from the data on every read
  (correct, one query). `VERSIONS_IN_CACHE` overrides the choice (tests of the shared path).

**Read with the session**: a signed-in request reads its session from the shared cache before
anything else, and every shared version comes in the same round trip (`get_with_versions`),
remembered for the rest of the request: a page that asks for a version then costs no round
trip of its own. The request sees each version as it was when it began, as if it had read it
first; a bump in this process forgets what was read, so a request always sees its own writes.

`code_version()`: what this build's pages are made of (our code and templates, the static
files' hashed names, the installed packages). A stored page outlives the process that made it;
after a deploy it must not be served, since it may name static files the new build lacks. Under
`runserver`, a file that changes (a template, reloaded without a restart) makes it anew.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import sysconfig
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils.autoreload import file_changed

from .counters import cache_failed
from .fragment_cache import fetch

VERSION_TIMEOUT = 60  # seconds


def cache_is_shared() -> bool:
    """True when every process reads the same cache (Redis, memcached, a database or files)."""
    configured: bool | None = getattr(settings, "VERSIONS_IN_CACHE", None)
    if configured is not None:
        return configured
    return not isinstance(caches["default"], LocMemCache | DummyCache)


# Every shared version by its key, and what this request read of them with its session.
_versions: dict[str, SharedVersion] = {}
_in_request: ContextVar[bool] = ContextVar("versions_in_request", default=False)
_read_ahead: ContextVar[dict[str, str] | None] = ContextVar("versions_read_ahead", default=None)


class SharedVersion:
    def __init__(self, name: str, compute: Callable[[], str]) -> None:
        self.key = f"version:{name}"
        self.compute = compute
        _versions[self.key] = self

    def current(self) -> str:
        """The version now: one short read from the cache, or `compute()`."""
        return self.current_with()[0]

    def current_with(self, *keys: str) -> tuple[str, dict[str, Any]]:
        """The version now, and the values stored at `keys` (those found), read in the same
        round trip: a page kept under a key of its own, with the version it was made at."""
        if not cache_is_shared():
            return self.compute(), fetch(*keys) if keys else {}
        read = _read_ahead.get()
        if read is not None and self.key in read:
            return read[self.key], fetch(*keys) if keys else {}
        found = fetch(self.key, *keys)
        stored = found.pop(self.key, None)
        if isinstance(stored, str):
            return stored, found
        return self._computed(), found

    def _computed(self) -> str:
        value = self.compute()
        try:
            cache.add(self.key, value, timeout=VERSION_TIMEOUT)
        except Exception as error:  # any backend's connection error: fail open
            cache_failed("version add", error)
        return value

    def bump(self) -> None:
        """The data changed: at once, and again at commit (see the module's docstring)."""
        if not cache_is_shared():
            return
        self._renew()  # which forgets what this request read with its session
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(self._renew)

    def _renew(self) -> None:
        _read_ahead.set(None)
        try:
            cache.set(self.key, secrets.token_hex(8), timeout=VERSION_TIMEOUT)
        except Exception as error:
            cache_failed("version bump", error)


def get_with_versions(store: BaseCache, key: str) -> Any:
    """`store.get(key)` (raising as it does); when `store` is the shared cache and a request is
    being answered, every shared version is read in the same round trip and remembered until
    the request ends (`SharedVersion.current_with`)."""
    if not _in_request.get() or store is not caches["default"] or not _versions:
        return store.get(key)
    keys = list(_versions)
    found = store.get_many([key, *keys])
    _read_ahead.set({k: found[k] for k in keys if isinstance(found.get(k), str)})
    return found.get(key)


def _request_began(**kwargs: object) -> None:
    _in_request.set(True)
    _read_ahead.set(None)


def _request_ended(**kwargs: object) -> None:
    _in_request.set(False)
    _read_ahead.set(None)


request_started.connect(_request_began, dispatch_uid="versions-request-began")
request_finished.connect(_request_ended, dispatch_uid="versions-request-ended")


def _installed_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"]).resolve()


def _sources() -> list[Path]:
    """The template directories, the translations and the project's own apps (not installed
    packages)."""
    engines: list[dict[str, Any]] = settings.TEMPLATES
    roots = [Path(d) for engine in engines for d in engine.get("DIRS", [])]
    roots += [Path(d) for d in settings.LOCALE_PATHS if Path(d).is_dir()]
    packages = _installed_packages()
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if not path.is_relative_to(packages):
            roots.append(path)
    return sorted({root.resolve() for root in roots})


@functools.cache
def code_version() -> str:
    """A digest of this build, computed once per process (a few hundred small files)."""
    digest = hashlib.sha256()
    for root in _sources():
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    # Each installed distribution's name and version, as its metadata folder is named.
    for entry in sorted(p.name for p in _installed_packages().glob("*.dist-info")):
        digest.update(entry.encode())
    return digest.hexdigest()[:16]


def _file_changed(sender: object, file_path: Path, **kwargs: object) -> None:
    """`runserver` reloads templates without a restart: the build changed all the same."""
    code_version.cache_clear()


file_changed.connect(_file_changed)
