"""Every filter the journal offers reads an index on Postgres (EXPLAIN), never a sequential
scan of the entries: the list, a name, a mood, a date range, and the trash; and the stats
page's fingerprint reads one row of its index, however many entries.

Postgres only (the real-services stage of .ci/run); enough rows, and ANALYZE, that the planner
prefers an index wherever one fits.
"""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from meditation.journal import stats_cache
from meditation.models import MeditationSession, Mood
from tests.factories import UserFactory, make_entries

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are Postgres's"),
]

OWN, OTHERS, OTHER_PEOPLE = 5_000, 1_000, 20
PAGE = 20


@pytest.fixture(scope="module")
def person(django_db_setup, django_db_blocker):
    """One person with 5,000 entries in every mood among twenty others with 1,000 (each
    with their newest 500 in the trash); the table analysed. Module-wide: the rows cost seconds."""
    with django_db_blocker.unblock():
        owner = UserFactory()
        moods = [value for value, _ in Mood.choices]
        for index, mood in enumerate(moods):
            make_entries(owner, OWN // len(moods), mood=mood,
                         every=datetime.timedelta(hours=len(moods) + index))  # fmt: skip
        others = [UserFactory() for _ in range(OTHER_PEOPLE)]
        for other in others:
            make_entries(other, OTHERS)
        for account in (owner, *others):  # each with a trash, so a person's is a small part
            newest = own(account).order_by("-started_at").values_list("pk", flat=True)[:500]
            own(account).filter(pk__in=list(newest)).update(deleted_at=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE meditation_meditationsession")
        yield owner
        MeditationSession.objects.filter(user__in=[owner, *others]).delete()
        for account in (owner, *others):
            account.delete()


def plan(queryset) -> str:
    return queryset.explain()


def assert_reads_index(queryset, index: str) -> None:
    text = plan(queryset)
    assert not re.search(r"Seq Scan on meditation_meditationsession", text), text
    assert re.search(rf"(Index|Index Only|Bitmap Index) Scan (Backward )?(using|on) {index}\b",
                     text), text  # fmt: skip


def own(person):
    return MeditationSession.objects.filter(user=person)


@pytest.mark.django_db
def test_the_list_reads_the_newest_active_entries_by_index(person):
    page = own(person).active().order_by("-started_at")[:PAGE]
    assert_reads_index(page, "meditation_user_active_newest")


@pytest.mark.django_db
def test_a_name_filter_reads_its_index(person):
    page = own(person).active().filter(name__number=7).order_by("-started_at")[:PAGE]
    assert_reads_index(page, "meditation_user_name_newest")


@pytest.mark.django_db
def test_a_mood_filter_reads_its_index(person):
    page = own(person).active().filter(mood=Mood.choices[1][0]).order_by("-started_at")[:PAGE]
    assert_reads_index(page, "meditation_user_mood_newest")


@pytest.mark.django_db
def test_a_date_range_reads_the_owners_dates(person):
    end = timezone.now() - datetime.timedelta(days=30)
    page = (
        own(person).active()
        .filter(started_at__gte=end - datetime.timedelta(days=7), started_at__lt=end)
        .order_by("-started_at")[:PAGE]
    )  # fmt: skip
    assert_reads_index(page, "meditation_user_active_newest")


@pytest.mark.django_db
def test_the_trash_reads_its_index(person):
    # The trash is a small part of everyone's entries: the person's partial trash index or the
    # deletion-time index serves it, whichever the planner finds cheaper.
    page = own(person).in_trash().order_by("-deleted_at")[:PAGE]
    assert_reads_index(page, "(meditation_user_trash|meditation_deleted_at)")


@pytest.mark.django_db
def test_the_stats_fingerprint_reads_one_row_of_its_index(person):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {stats_cache.statement()}", [person.pk])
        text = "\n".join(line for (line,) in cursor.fetchall())
    assert not re.search(r"Seq Scan on meditation_meditationsession", text), text
    probe = re.search(
        r"Limit .*\n\s*->\s+Index (Only )?Scan Backward using meditation_user_changes"
        r" on meditation_meditationsession .*actual time=\S+ rows=1 loops=1",
        text,
    )
    assert probe, text


@pytest.mark.django_db
def test_an_exports_next_page_starts_its_index_scan_where_the_last_page_ended(person):
    """Export pages are read after the last row (exports/journal.py): the scan must start
    there, not read and drop every earlier row again for each page."""
    from meditation.exports import journal

    rows = journal.rows_of(own(person).order_by("started_at", "pk"))
    total = rows.count()
    [last] = journal._page(rows[total - 100 : total - 99])  # a page near the end
    text = journal.after(rows, last)[: journal.PAGE_SIZE].explain(analyze=True)
    assert re.search(r"Index Cond: \(.*started_at >=", text), text
    removed = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text))
    assert removed < 10, text
    assert len(list(journal.after(rows, last))) == 99
