"""Rendered markup kept in the shared cache, failing open like the counters.

A cache that cannot be reached costs a page its speed, never the page: the markup is rendered
as if it were not cached, a warning is logged and `aysekai_cache_errors_total` goes up.
`fetch` and `keep` are the two halves of `cached`, for callers that decide in between what to
store, or whether (the visitors' page cache, the shared versions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from .counters import cache_failed


def cache_key(prefix: str, *parts: object) -> str:
    """A short key whatever the parts hold (a search query may be long or odd)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"{prefix}:{digest}"


def fetch(*keys: str) -> dict[str, Any]:
    """The values stored at `keys`, in one round trip; none when the cache cannot be reached."""
    try:
        return cache.get_many(keys)
    except Exception as error:  # any backend's connection error: fail open
        cache_failed("fragment get", error)
        return {}


def keep(key: str, value: object, timeout: int) -> None:
    """Store `value` at `key`; a cache that cannot be reached keeps nothing."""
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        cache_failed("fragment set", error)


def cached[T](key: str, render: Callable[[], T], timeout: int) -> T:
    """The value at `key`, or `render()` stored there (a value of None is never stored)."""
    value = fetch(key).get(key)
    if value is not None:
        return value
    value = render()
    if value is not None:
        keep(key, value, timeout)
    return value
