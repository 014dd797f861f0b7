"""Counters in the shared cache (Redis in production), safe when a key expires mid-way, and
failing open when the cache cannot be reached.

A cache outage never breaks a page: a counter that cannot be read or written counts as 0
(a rate limit lets the request through), a warning is logged and
`aysekai_cache_errors_total` goes up. What must hold through an outage (the sign-in lockout,
the second-factor throttle) is kept in the database, not here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from prometheus_client import Counter

logger = logging.getLogger(__name__)

CACHE_ERRORS = Counter(
    "aysekai_cache_errors_total",
    "Cache operations that failed (the cache was unreachable); counters failed open.",
    ["operation"],
)


def cache_failed(operation: str, error: Exception) -> None:
    CACHE_ERRORS.labels(operation).inc()
    # The error's type only: its text may name the cache's address and password.
    logger.warning("cache unavailable (%s failed open): %s", operation, type(error).__name__)


def increment(key: str, amount: int = 1, timeout: int | None = None) -> int:
    """Add `amount` to the counter at `key` (created at 0 with `timeout`); return the total,
    or 0 when the cache cannot be reached."""
    try:
        if cache.add(key, amount, timeout=timeout):
            return amount
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired or evicted between add and incr
            cache.set(key, amount, timeout=timeout)
            return amount
    except Exception as error:  # any backend's connection error: fail open
        cache_failed("increment", error)
        return 0


def read(keys: Iterable[str]) -> dict[str, int] | None:
    """The counters at `keys` that exist, in one round trip; None when the cache cannot be
    reached (so that a reader can leave them out rather than report a false 0)."""
    try:
        return cache.get_many(list(keys))
    except Exception as error:  # any backend's connection error: fail open
        cache_failed("read", error)
        return None
