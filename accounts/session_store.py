"""Sessions read from the shared cache and written through to the database (issue 13).

Django's `cached_db` engine, with three changes:

- **Only with a shared cache** (`platform.versions.cache_is_shared`: Redis in production). With
  a process-local cache (locmem: `make run`, the tests) a session ended in one process (sign
  out, "sign out everywhere") would live on in another's memory, so there every read goes to
  the database, as the plain `db` engine does.
- **Kept at most SESSION_REFRESH_SECONDS** (not for the session's whole idle age): the database
  stays the truth. A session ended while the cache could not be reached (its copy there could
  not be deleted) is honoured within that time, and so is a row changed by hand.
- **Fails open**: a cache that cannot be reached is skipped, counted and logged
  (`platform/counters.py`), as the site's other caches are; the session is read from and
  written to the database.
- **Sessions signed in through Django's `ModelBackend`** (before `accounts.backends`) are read
  as signed in through `PersonBackend`, its subclass: they stay signed in.

What it saves: a signed-in page reads its session from Redis (about 0.16 ms) instead of
Postgres (about 0.6 ms, most of it the ORM building the query), and the shared versions with it
(`platform.versions.get_with_versions`): the stats page's catalogue version costs no round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

from aysekai_site.platform.counters import cache_failed
from aysekai_site.platform.versions import cache_is_shared, get_with_versions

from . import backends

if TYPE_CHECKING:
    from django.contrib.sessions.models import Session
    from django.core.cache.backends.base import BaseCache


def _current_backend(data: dict[str, Any]) -> dict[str, Any]:
    if data.get(BACKEND_SESSION_KEY) == backends.LEGACY_PATH:
        data[BACKEND_SESSION_KEY] = backends.PATH
    return data


class SessionStore(CachedDBStore):
    if TYPE_CHECKING:  # what the stubs leave out of Django's classes
        _cache: BaseCache
        _session: dict[str, Any]

        def _get_session_from_db(self) -> Session | None: ...

    def _timeout(self, age: int) -> int:
        return max(0, min(age, settings.SESSION_REFRESH_SECONDS))

    def load(self) -> dict[str, Any]:
        return _current_backend(self._load())

    def _load(self) -> dict[str, Any]:
        if not cache_is_shared():
            return DBStore.load(self)
        try:  # with the shared versions the page will ask for, in the same round trip
            data = get_with_versions(self._cache, self.cache_key)
        except Exception as error:  # an unreachable cache (or a key it refuses): the database
            cache_failed("session get", error)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        try:
            timeout = self._timeout(self.get_expiry_age(expiry=row.expire_date))
            self._cache.set(self.cache_key, data, timeout)
        except Exception as error:
            cache_failed("session set", error)
        return data

    def exists(self, session_key: str) -> bool:
        if not cache_is_shared():
            return DBStore.exists(self, session_key)
        try:
            return super().exists(session_key)
        except Exception as error:
            cache_failed("session exists", error)
            return DBStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        DBStore.save(self, must_create)
        if not cache_is_shared():
            return
        try:
            self._cache.set(self.cache_key, self._session, self._timeout(self.get_expiry_age()))
        except Exception as error:
            cache_failed("session set", error)

    def delete(self, session_key: str | None = None) -> None:
        DBStore.delete(self, session_key)
        key = session_key or self.session_key
        if key is None or not cache_is_shared():
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception as error:  # its copy lives on for SESSION_REFRESH_SECONDS at most
            cache_failed("session delete", error)
