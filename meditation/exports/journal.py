"""Reading a user's journal for an export: plain rows, a page at a time, each field decrypted once.

Rows are tuples (`values_list`), not model instances, and the 99 names come from one dict
rather than a join: building 10,000 instances and their names cost more than the decryption.
The database also writes the id and the times as the text the files hold (`UUIDText`,
`UTCText`): a Python object made for each only to be turned into text was more than a third
of the time of reading the rows.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from django.db.models import BooleanField, CharField, ExpressionWrapper, Func, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from ..models import DivineName, ExportJob, MeditationSession, Mood

# Rows per page: each page is read whole, so this bounds memory (and the query count).
PAGE_SIZE = 2000
# Rows handed to the writers at a time, and between two calls of `progress`.
BATCH_SIZE = 500
Progress = Callable[[int], None]


class Entry(NamedTuple):
    """One journal entry as the writers need it; intention and reflection are plaintext, the id
    and the times text, as every writer of a ZIP writes them."""

    started: str  # ISO 8601 in UTC, as datetime.isoformat() writes it
    ended: str  # the same, or empty (not finished)
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
    in_trash: bool
    id: str


class UUIDText(Func):
    """A UUID column as its canonical text (8-4-4-4-12 hex digits, lower case), made by the
    database: Postgres casts its uuid, SQLite (where Django keeps the 32 digits) adds the
    dashes. A UUID object made for every row only to be turned into text was a tenth of the
    time of reading the rows."""

    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS text)")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        dashed = " || '-' || ".join(f"substr(%(expressions)s, {at}, {n})" for at, n in parts)
        return self.as_sql(compiler, connection, template=f"lower({dashed})")


class UTCText(Func):
    """A time as `datetime.isoformat()` writes it in UTC (`2026-11-20T06:00:00.250000+00:00`,
    the fraction only when there is one), made by the database: Postgres formats it, SQLite
    keeps it as that text with a space (`str()` of the naive UTC time, as Django stores it)."""

    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        utc = "%(expressions)s AT TIME ZONE 'UTC'"
        template = (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            "date_trunc('second', %(expressions)s) = %(expressions)s THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
        return self.as_sql(compiler, connection, template=template)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "replace(%(expressions)s, ' ', 'T') || '+00:00'"
        return self.as_sql(compiler, connection, template=template)


# The row as the database gives it: an Entry as it is.
_COLUMNS = (
    UTCText("started_at"),
    Coalesce(UTCText("ended_at"), Value("")),
    *Entry._fields[2:-2],
    ExpressionWrapper(Q(deleted_at__isnull=False), output_field=BooleanField()),
    UUIDText("pk"),
)


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


def rows_of(entries: QuerySet[MeditationSession]) -> QuerySet[MeditationSession, Any]:
    return entries.values_list(*_COLUMNS)


def batches(entries: QuerySet[MeditationSession], progress: Progress) -> Iterator[list[Entry]]:
    """`entries` (ordered by started_at, pk) as lists of up to BATCH_SIZE rows, read PAGE_SIZE
    at a time, each page whole; `progress(count)` after every batch (the report writes only
    when there is news). Writers take a batch at a time: their work per row is then a loop of
    their own, not calls through every writer for each row.

    No read is left open while `progress` writes: on SQLite a connection whose read is still
    open cannot write once another process has committed ("database is locked" at once,
    whatever the busy timeout), and the web writes all the time. So pages are fetched after
    the last one's (started_at, pk), not from one long cursor: each page an index range that
    starts where the last one ended, so reading the journal costs the same per row at any size.
    """
    rows = rows_of(entries)
    page = _page(rows)
    count = 0
    while page:
        for start in range(0, len(page), BATCH_SIZE):
            batch = page[start : start + BATCH_SIZE]
            yield batch
            count += len(batch)
            progress(count)
        if len(page) < PAGE_SIZE:
            break
        page = _page(after(rows, page[-1]))


def after(rows: QuerySet[MeditationSession, Any], last: Entry) -> QuerySet[MeditationSession, Any]:
    """The rows after `last` in (started_at, pk) order. `started_at >= last's` adds nothing to
    the condition but lets the database start its index scan at the last row, instead of
    reading and filtering out every row before it again for each page (at 100,000 entries
    that was most of an export's time)."""
    started = datetime.datetime.fromisoformat(last.started)
    later = Q(started_at__gt=started) | Q(started_at=started, pk__gt=last.id)
    return rows.filter(later, started_at__gte=started)


def _page(rows: QuerySet[MeditationSession, tuple[Any, ...]]) -> list[Entry]:
    return list(map(Entry._make, rows[:PAGE_SIZE]))


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
