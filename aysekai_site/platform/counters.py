"""Counters in the shared cache (Redis in production), safe when a key expires mid-way."""

from __future__ import annotations

from django.core.cache import cache


def increment(key: str, amount: int = 1, timeout: int | None = None) -> int:
    """Add `amount` to the counter at `key` (created at 0 with `timeout`); return the total."""
    if cache.add(key, amount, timeout=timeout):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired or evicted between add and incr
        cache.set(key, amount, timeout=timeout)
        return amount
