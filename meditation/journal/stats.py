"""A user's practice in numbers: totals, streaks, the calendar and the names met.

Everything is aggregated in the database in two queries (one by local day, one by name),
whatever the number of entries, and kept in the cache until the person's entries or time
zone change (`stats_cache`). Days are the user's local dates, so a session at 23:30 in
Tokyo counts for that Tokyo day, not for the UTC one. Only active (not deleted), finished
entries count. The encrypted intention and reflection are never read.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..catalogue.translations import localize
from ..models import NAME_COUNT, DivineName, MeditationSession, MeditationSessionQuerySet, minutes
from . import stats_cache
from .stats_cache import Counts, Fingerprint

if TYPE_CHECKING:
    from accounts.models import User

CALENDAR_DAYS = 365
MOST_DRAWN_COUNT = 5


@dataclass(frozen=True)
class DayTotal:
    day: datetime.date
    sessions: int
    seconds: int

    @property
    def minutes(self) -> int:
        return minutes(self.seconds)


@dataclass(frozen=True)
class MonthTotal:
    month: datetime.date  # the first of the month
    days: int
    sessions: int
    seconds: int

    @property
    def minutes(self) -> int:
        return minutes(self.seconds)


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int


@dataclass(frozen=True)
class NameCount:
    number: int
    transliteration: str
    arabic: str
    meaning: str
    count: int


@dataclass(frozen=True)
class NameCell:
    number: int
    count: int

    @property
    def met(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Calendar:
    """The last CALENDAR_DAYS local days, oldest first, every day present (zeros included)."""

    days: list[DayTotal]
    months: list[MonthTotal]

    @property
    def start(self) -> datetime.date:
        return self.days[0].day

    @property
    def end(self) -> datetime.date:
        return self.days[-1].day

    @property
    def active_days(self) -> list[DayTotal]:
        return [d for d in self.days if d.sessions]

    @property
    def sessions(self) -> int:
        return sum(d.sessions for d in self.days)

    @property
    def minutes(self) -> int:
        return minutes(sum(d.seconds for d in self.days))


@dataclass(frozen=True)
class Stats:
    today: datetime.date
    sessions: int
    seconds: int
    days_practised: int
    streaks: Streaks
    calendar: Calendar
    names: list[NameCell]
    names_met: int
    most_drawn: list[NameCount]

    @property
    def minutes(self) -> int:
        return minutes(self.seconds)

    @property
    def name_count(self) -> int:
        return NAME_COUNT


def user_zone(name: str) -> zoneinfo.ZoneInfo:
    """The user's zone; UTC if the stored name is unknown (it is validated on save)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(zone: datetime.tzinfo) -> datetime.date:
    return timezone.now().astimezone(zone).date()


def streaks(days: Iterable[datetime.date], today: datetime.date) -> Streaks:
    """Runs of consecutive practice days.

    The current run ends today or yesterday: a day without practice so far does not break
    it until that day is over. Days after today (clock skew, imports) count for the
    longest run only.
    """
    practised = set(days)
    longest = run = 0
    previous: datetime.date | None = None
    for day in sorted(practised):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day

    one_day = datetime.timedelta(days=1)
    day = today if today in practised else today - one_day
    current = 0
    while day in practised:
        current += 1
        day -= one_day
    return Streaks(current=current, longest=longest)


def calendar(totals: Mapping[datetime.date, DayTotal], today: datetime.date) -> Calendar:
    start = today - datetime.timedelta(days=CALENDAR_DAYS - 1)
    days = []
    for offset in range(CALENDAR_DAYS):
        day = start + datetime.timedelta(days=offset)
        days.append(totals.get(day) or DayTotal(day=day, sessions=0, seconds=0))
    return Calendar(days=days, months=month_totals(days))


def month_totals(days: Iterable[DayTotal]) -> list[MonthTotal]:
    months: dict[datetime.date, list[int]] = {}  # first of the month: [days, sessions, seconds]
    for d in days:
        month = months.setdefault(d.day.replace(day=1), [0, 0, 0])
        month[0] += 1 if d.sessions else 0
        month[1] += d.sessions
        month[2] += d.seconds
    return [
        MonthTotal(month=first, days=n, sessions=sessions, seconds=seconds)
        for first, (n, sessions, seconds) in months.items()
    ]


def _finished_entries(user: User) -> MeditationSessionQuerySet:
    return MeditationSession.objects.active().filter(user=user, ended_at__isnull=False)


def counts(user: User, zone: datetime.tzinfo) -> Counts:
    """The numbers every statistic is made of, in two queries: (day ordinal, sessions,
    seconds) per local day and (name number, sessions) per name. Numbers only: this is what
    `stats_cache` keeps."""
    days = (
        _finished_entries(user)
        .annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day")
        .annotate(sessions=Count("id"), seconds=Sum("actual_seconds", default=0))
        .order_by("day")
    )
    names = _finished_entries(user).values("name__number").annotate(count=Count("id")).order_by()
    return Counts(
        days=[(r["day"].toordinal(), r["sessions"], r["seconds"]) for r in days],
        names=sorted((r["name__number"], r["count"]) for r in names),
    )


def _most_drawn(by_number: Mapping[int, int]) -> list[NameCount]:
    top = sorted(by_number.items(), key=lambda item: (-item[1], item[0]))[:MOST_DRAWN_COUNT]
    # Their words in the page's language (one query more outside English).
    found = DivineName.objects.filter(number__in=[number for number, _ in top])
    names = {name.number: name for name in localize(found)}
    return [
        NameCount(
            number=number,
            transliteration=names[number].transliteration,
            arabic=names[number].arabic,
            meaning=names[number].meaning,
            count=count,
        )
        for number, count in top
    ]


def user_stats(user: User, *, today: datetime.date, seen: Fingerprint) -> Stats:
    """All of a user's statistics on their local `today`: the numbers from `stats_cache` while
    their entries and time zone are as `seen` (`stats_cache.fingerprint`), else counted in two
    queries; and one query for the most drawn names' words."""
    zone = user_zone(user.time_zone)
    numbers = stats_cache.cached_counts(user, seen, lambda: counts(user, zone))
    # Years of days may be counted: only the calendar's are made into DayTotals.
    first = (today - datetime.timedelta(days=CALENDAR_DAYS - 1)).toordinal()
    shown = {
        day.day: day
        for day in (
            DayTotal(day=datetime.date.fromordinal(o), sessions=n, seconds=s)
            for o, n, s in numbers.days
            if o >= first
        )
    }
    by_number = dict(numbers.names)
    return Stats(
        today=today,
        sessions=sum(n for _, n, _ in numbers.days),
        seconds=sum(s for _, _, s in numbers.days),
        days_practised=len(numbers.days),
        streaks=streaks((datetime.date.fromordinal(o) for o, _, _ in numbers.days), today),
        calendar=calendar(shown, today),
        names=[NameCell(number=n, count=by_number.get(n, 0)) for n in range(1, NAME_COUNT + 1)],
        names_met=len(by_number),
        most_drawn=_most_drawn(by_number) if by_number else [],
    )


def stats_now(user: User) -> Stats:
    """The person's statistics on their local today, against their entries as they are now."""
    today = local_today(user_zone(user.time_zone))
    return user_stats(user, today=today, seen=stats_cache.fingerprint(user))


def streak_with_today(user: User) -> int:
    """The person's current streak once today counts (the closing screen of a sitting): one more
    than now unless today is already practised."""
    numbers = stats_now(user)
    today = numbers.today
    practised_today = any(day.day == today and day.sessions for day in numbers.calendar.days)
    return numbers.streaks.current if practised_today else numbers.streaks.current + 1
