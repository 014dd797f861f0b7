"""Rendered markup kept in the shared cache, failing open like the counters.

A cache that cannot be reached costs a page its speed, never the page: the markup is rendered
as if it were not cached, a warning is logged and `aysekai_cache_errors_total` goes up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

from .counters import cache_failed


def cache_key(prefix: str, *parts: object) -> str:
    """A short key whatever the parts hold (a search query may be long or odd)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"{prefix}:{digest}"


def cached[T](key: str, render: Callable[[], T], timeout: int) -> T:
    """The value at `key`, or `render()` stored there (a value of None is never stored)."""
    try:
        value = cache.get(key)
    except Exception as error:  # any backend's connection error: fail open
        cache_failed("fragment get", error)
        return render()
    if value is not None:
        return value
    value = render()
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        cache_failed("fragment set", error)
    return value
