"""The stats' numbers in the shared cache, per person, valid while nothing they depend on moved.

The entry holds its own fingerprint: the person's entry count, trashed count, latest
`updated_at` and time zone, read in one query on the `meditation_user_changes` index. Every
change to someone's entries moves one of them, whichever process made it and however (a
save, a bulk insert by an import on the worker, a conditional update, a purge), so no writer
has to remember to invalidate, and a process's own memory cache can never serve numbers older
than the database. Only numbers are cached, never text. A cache that cannot be reached is
skipped (the numbers are computed), as the counters do (`platform/counters.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Max

from ..models import MeditationSession

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counts:
    """What the stats are made of (`stats.counts`): numbers only."""

    days: list[tuple[int, int, int]]  # (date ordinal, sessions, seconds), by day
    names: list[tuple[int, int]]  # (name number, sessions), by number


TIMEOUT = 7 * 24 * 3600  # a person who comes back after a week gets them computed afresh


def key(user: User) -> str:
    return f"meditation:journal-stats:{user.pk}"


def fingerprint(user: User) -> tuple[int, int, str, str]:
    seen = MeditationSession.objects.filter(user=user).aggregate(
        entries=Count("pk"), trashed=Count("deleted_at"), latest=Max("updated_at")
    )
    latest = seen["latest"].isoformat() if seen["latest"] else ""
    return (seen["entries"], seen["trashed"], latest, user.time_zone)


def cached_counts(user: User, compute: Callable[[], Counts]) -> Counts:
    """The person's numbers from the cache when its fingerprint is current, else `compute()`d
    (and kept)."""
    current = fingerprint(user)
    try:
        kept = cache.get(key(user))
    except Exception as error:  # an unreachable cache: compute, as without one
        logger.warning("stats cache unavailable: %s", type(error).__name__)
        return compute()
    if kept is not None and kept[0] == current:
        return Counts(days=kept[1], names=kept[2])
    numbers = compute()
    try:
        cache.set(key(user), (current, numbers.days, numbers.names), TIMEOUT)
    except Exception as error:
        logger.warning("stats cache unavailable: %s", type(error).__name__)
    return numbers
