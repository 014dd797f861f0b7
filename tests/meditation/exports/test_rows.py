"""An export's rows as the database gives them (meditation/exports/journal.py): the id and the
times are made into text by the database (`UUIDText`, `UTCText`), and must be exactly what
Python writes for them, on SQLite and on Postgres, fraction of a second or not."""

import datetime
import uuid

import pytest

from meditation.exports import journal
from meditation.models import MeditationSession
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TOKYO = datetime.timezone(datetime.timedelta(hours=9))
TIMES = [
    datetime.datetime(2026, 11, 20, 6, 0, tzinfo=UTC),  # whole seconds: no fraction
    datetime.datetime(2026, 11, 20, 6, 0, 0, 1, tzinfo=UTC),
    datetime.datetime(2026, 11, 20, 23, 59, 59, 250000, tzinfo=UTC),
    datetime.datetime(2000, 1, 1, 0, 0, 0, 999999, tzinfo=UTC),
    # Given in Tokyo: written in UTC, as the ORM's datetime would be.
    datetime.datetime(2026, 1, 1, 8, 30, 15, 120, tzinfo=TOKYO),
]  # fmt: skip


def rows(user):
    entries = MeditationSession.objects.filter(user=user).order_by("started_at", "pk")
    return journal._page(journal.rows_of(entries))


def test_the_times_and_the_id_are_what_python_writes(user):
    for n, started in enumerate(TIMES):
        MeditationSessionFactory(
            user=user, started_at=started,
            ended_at=None if n == 1 else started + datetime.timedelta(minutes=10, microseconds=n),
            deleted_at=started if n == 2 else None,
        )  # fmt: skip
    kept = {e.pk: e for e in MeditationSession.objects.filter(user=user)}
    read = rows(user)
    assert len(read) == len(TIMES)
    for row in read:
        entry = kept[uuid.UUID(row.id)]
        assert row.id == str(entry.pk)
        assert row.started == entry.started_at.astimezone(UTC).isoformat()
        assert row.ended == (entry.ended_at.astimezone(UTC).isoformat() if entry.ended_at else "")
        assert row.in_trash is (entry.deleted_at is not None)


def test_the_next_page_starts_after_the_last_row_even_at_the_same_instant(user):
    same = datetime.datetime(2026, 11, 20, 6, 0, 0, 500, tzinfo=UTC)
    for _ in range(3):
        MeditationSessionFactory(user=user, started_at=same)
    MeditationSessionFactory(user=user, started_at=same + datetime.timedelta(microseconds=1))
    entries = journal.rows_of(
        MeditationSession.objects.filter(user=user).order_by("started_at", "pk")
    )
    first, *others = rows(user)
    assert [row.id for row in journal._page(journal.after(entries, first))] == [
        row.id for row in others
    ]
