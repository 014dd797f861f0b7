"""The stats in the shared cache, per person: their numbers (`stats.counts`) and the page made
of them (`stats_page`), each kept with what it was made from and served only while that holds.

The person's fingerprint is the newest `updated_at` of their entries, read by one probe of the
`meditation_user_changes` index however many entries there are, and their time zone; the page
adds what else it shows (`stats_page`). Whatever changes what the stats count moves it, in
whichever process and however:

- a save (`auto_now`: a sitting's start, an edit, a move to the trash and back), an insert in
  bulk (an import on the worker: `auto_now` stamps each row) and the queryset's `update` and
  `bulk_update`, which set `updated_at` themselves (the sitting's finish);
- a purge deletes entries that have been in the trash for TRASH_RETENTION_DAYS: every count
  made since their trash (which moved the fingerprint) already left them out, and one made
  before it would have to outlive the retention, which nothing here does (`timeout`);
- the time zone is part of the fingerprint; a deleted account takes its entries with it, its
  slots are deleted (`forget_deleted_account`), and a user id is never given again.

So no writer has to invalidate anything, and no process's memory (the local copies of pages,
`recent`, or a per-process cache backend) can serve numbers older than the database. What it
cannot see: a raw SQL write, and a write stamped before but committed after another that a page
was already made from (two writes of one person in the same instant, or two hosts whose clocks
disagree). Numbers, dates and the catalogue's words only, never a word of the journal. A cache
that cannot be reached is skipped: the numbers and the page are computed, as without a cache
(`platform/counters.py`).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from aysekai_site.platform.counters import cache_failed
from aysekai_site.platform.fragment_cache import fetch, keep

from ..models import MeditationSession

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Counts:
    """What the stats are made of (`stats.counts`): numbers only."""

    days: list[tuple[int, int, int]]  # (date ordinal, sessions, seconds), by day
    names: list[tuple[int, int]]  # (name number, sessions), by number


# (the newest `updated_at` of the person's entries as the database gives it; their time zone)
Fingerprint = tuple[str, str]

DAY = 24 * 3600
TIMEOUT = 7 * DAY  # a person who comes back after a week gets them computed afresh


def key(user: User) -> str:
    return f"meditation:journal-stats:{user.pk}"


def page_key(user: User) -> str:
    return f"meditation:journal-stats-page:{user.pk}"


def timeout() -> int:
    """Never longer than the trash keeps an entry (see the module's docstring: a purge)."""
    return min(TIMEOUT, settings.TRASH_RETENTION_DAYS * DAY)


@functools.cache
def statement() -> str:
    """The fingerprint's SQL, with the person's id as its one parameter: one probe of the
    `meditation_user_changes` index (its newest row for the person), however many entries."""
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('updated_at')} FROM {quote(MeditationSession._meta.db_table)} "  # noqa: S608 (names only)
        f"WHERE {quote('user_id')} = %s ORDER BY {quote('updated_at')} DESC LIMIT 1"
    )


# The attribute the person's newest `updated_at` is read into with them (`accounts.backends`).
READ_WITH_PERSON = "journal_changed_at"


def read_with_person() -> Subquery:
    """`statement()` as a subquery of the person's row, as the backend gives it (a text field
    has no converter: a datetime on Postgres, text on SQLite, as `fingerprint`'s own read)."""
    newest = MeditationSession.objects.filter(user=OuterRef("pk")).order_by("-updated_at")
    return Subquery(newest.values("updated_at")[:1], output_field=TextField())


def fingerprint(user: User, *, as_request_began: bool = False) -> Fingerprint:
    """The person's fingerprint, in one query. Raw SQL because every kept page reads it: the
    ORM took 0.25 ms to write this query, more than the database takes to answer it.

    `as_request_began`: the value read with the person (`read_with_person`), when there is
    one: no query at all. Only for a view that has written nothing (a GET): it is the state
    when the request began."""
    if as_request_began and READ_WITH_PERSON in user.__dict__:
        newest = user.__dict__[READ_WITH_PERSON]
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement(), [user.pk])
            row = cursor.fetchone()
        newest = None if row is None else row[0]
    # The backend's own value (a datetime on Postgres, text on SQLite), only ever compared with
    # what the same backend gave before.
    return ("" if newest is None else str(newest), user.time_zone)


def _kept(slot: str, current: Hashable) -> Any | None:
    """The value kept at `slot` if it was stored with `current`; None otherwise or when the
    cache cannot be reached."""
    kept = fetch(slot).get(slot)
    return kept[1] if kept is not None and kept[0] == current else None


def _keep(slot: str, current: Hashable, value: object) -> None:
    keep(slot, (current, value), timeout())


def cached_counts(user: User, seen: Fingerprint, compute: Callable[[], Counts]) -> Counts:
    """The person's numbers from the cache when they were counted at `seen`, else `compute()`d
    (and kept)."""
    kept = _kept(key(user), seen)
    if kept is not None:
        return Counts(days=kept[0], names=kept[1])
    numbers = compute()
    _keep(key(user), seen, (numbers.days, numbers.names))
    return numbers


class Recent[T]:
    """The last pages this process served, per slot: a copy of the shared cache's entry, which
    saves its round trip (a page is 100 KB). As safe as the shared entry: a copy is served only
    when it was made from what the page shows now (`shows`, read afresh for every request: the
    fingerprint from the database), so no process serves a page older than the database, and
    only for `timeout()`, as the shared entry. At most `size` pages."""

    def __init__(self, size: int, ttl: Callable[[], float]) -> None:
        self.size, self.ttl = size, ttl
        self._pages: OrderedDict[str, tuple[Hashable, float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, slot: str, current: Hashable) -> T | None:
        with self._lock:
            kept = self._pages.get(slot)
            if kept is None or kept[0] != current or time.monotonic() - kept[1] >= self.ttl():
                return None
            self._pages.move_to_end(slot)
            return kept[2]

    def put(self, slot: str, current: Hashable, markup: T) -> None:
        with self._lock:
            self._pages[slot] = (current, time.monotonic(), markup)
            self._pages.move_to_end(slot)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def forget(self, slot: str) -> None:
        with self._lock:
            self._pages.pop(slot, None)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


recent: Recent[SafeString] = Recent(size=64, ttl=timeout)


def cached_page(user: User, shows: Hashable, render: Callable[[], SafeString]) -> SafeString:
    """The person's stats markup when it was made from `shows` (their fingerprint and what else
    the page shows, `stats_page`): this process's copy, else the shared cache's, else
    `render()`ed (and kept in both).

    One slot per person, so a page made for another day or version replaces the last one."""
    slot = page_key(user)
    shows = (shows, get_language())  # the markup is in the page's language
    markup = recent.get(slot, shows)
    if markup is not None:
        return markup
    kept = _kept(slot, shows)
    markup = mark_safe(kept) if kept is not None else render()  # noqa: S308 (our own markup)
    if kept is None:
        _keep(slot, shows, markup)
    recent.put(slot, shows, markup)
    return markup


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_deleted_account(sender: Any, instance: User, **kwargs: Any) -> None:
    """A deleted account's numbers and page leave the cache with it, rather than at their
    timeout: they tell when and how long the person practised. Once the deletion is committed,
    so that no page made before it can be kept again (the key names a user id, never reused)."""
    slots = [key(instance), page_key(instance)]

    def forget() -> None:
        recent.forget(slots[1])
        try:
            cache.delete_many(slots)
        except Exception as error:
            cache_failed("stats delete", error)

    transaction.on_commit(forget)
