"""Reading a user's journal for an export: plain rows, a page at a time, each field decrypted once.

Rows are tuples (`values_list`), not model instances, and the 99 names come from one dict
rather than a join: building 10,000 instances and their names cost more than the decryption.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from ..models import DivineName, ExportJob, MeditationSession, Mood

# Rows per page: each page is read whole, so this bounds memory (and the query count).
PAGE_SIZE = 2000
Progress = Callable[[int], None]


class Entry(NamedTuple):
    """One journal entry as the writers need it; intention and reflection are plaintext.

    The id and the times are also given as text, formatted once for every writer of a ZIP.
    """

    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    name_id: int
    intention: str
    reflection: str
    mood: str
    planned_seconds: int
    actual_seconds: int | None
    dhikr_count: int
    dhikr_target: int
    source: str
    legacy_id: str
    deleted_at: datetime.datetime | None
    id: str
    started: str  # ISO 8601
    ended: str  # ISO 8601, or empty (not finished)


_COLUMNS = (*Entry._fields[:-3], "pk")  # the text fields are made from the last three


class Name(NamedTuple):
    number: int
    transliteration: str
    arabic: str
    meaning: str


def names() -> dict[int, Name]:
    """Every name by its primary key (99 rows, one query)."""
    fields = ("pk", *Name._fields)
    return {row[0]: Name(*row[1:]) for row in DivineName.objects.values_list(*fields)}


MOODS = dict(Mood.choices)


def journal_entries(job: ExportJob) -> QuerySet[MeditationSession]:
    """Every entry of the owner (the trash included, marked), in the job's local date range."""
    entries = MeditationSession.objects.filter(user=job.owner)
    zone = zoneinfo.ZoneInfo(job.owner.time_zone)
    entries = entries.in_local_dates(job.date_from, job.date_to, zone)
    return entries.order_by("started_at", "pk")


def stream(entries: QuerySet[MeditationSession], progress: Progress) -> Iterator[Entry]:
    """`entries` (ordered by started_at, pk) as rows, read PAGE_SIZE at a time, each page whole;
    `progress(count)` after every row (the report writes only when there is news).

    No read is left open while `progress` writes: on SQLite a connection whose read is still
    open cannot write once another process has committed ("database is locked" at once,
    whatever the busy timeout), and the web writes all the time. So pages are fetched after
    the last one's (started_at, pk), not from one long cursor: each page an index range that
    starts where the last one ended, so reading the journal costs the same per row at any size.
    """
    rows = entries.values_list(*_COLUMNS)
    page = _page(rows)
    count = 0
    while page:
        for entry in page:
            yield entry
            count += 1
            progress(count)
        if len(page) < PAGE_SIZE:
            break
        page = _page(after(rows, page[-1]))


def after(rows: QuerySet[MeditationSession, Any], last: Entry) -> QuerySet[MeditationSession, Any]:
    """The rows after `last` in (started_at, pk) order. `started_at >= last's` adds nothing to
    the condition but lets the database start its index scan at the last row, instead of
    reading and filtering out every row before it again for each page (at 100,000 entries
    that was most of an export's time)."""
    later = Q(started_at__gt=last.started_at) | Q(started_at=last.started_at, pk__gt=last.id)
    return rows.filter(later, started_at__gte=last.started_at)


def _page(rows: QuerySet[MeditationSession, tuple[Any, ...]]) -> list[Entry]:
    return [
        Entry._make(
            (*row[:-1], str(row[-1]), row[0].isoformat(), row[1].isoformat() if row[1] else "")
        )
        for row in rows[:PAGE_SIZE]
    ]


def profile_record(job: ExportJob) -> dict[str, Any]:
    user = job.owner
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": user.date_joined.isoformat(),
    }


def preferences_record(job: ExportJob) -> dict[str, Any]:
    user = job.owner
    return {
        "time_zone": user.time_zone,
        "default_session_minutes": user.default_session_minutes,
        "dhikr_target": user.dhikr_target,
        "theme": user.theme,
        "show_streaks": user.show_streaks,
    }
