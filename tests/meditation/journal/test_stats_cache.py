"""The stats' cache: numbers only, and never older than the person's entries or time zone."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from meditation.journal import stats_cache
from meditation.journal.tasks import purge_trash
from meditation.models import MeditationSession
from tests.factories import MeditationSessionFactory, make_entries
from tests.meditation.imports.helpers import log, row, upload
from tests.meditation.sitting.test_views import start

pytestmark = pytest.mark.django_db
URL = "/journal/stats/"


def sessions(client) -> int:
    return client.get(URL).context["stats"].sessions


@pytest.fixture
def cached(signed_in, user):
    """Three finished entries, their stats computed once (so cached)."""
    make_entries(user, 3)
    assert sessions(signed_in) == 3
    assert cache.get(stats_cache.key(user)) is not None
    return signed_in


def test_it_keeps_numbers_only(cached, user):
    fingerprint, days, names = cache.get(stats_cache.key(user))
    values = [*fingerprint[:2], *(v for day in days for v in day), *(v for n in names for v in n)]
    assert all(isinstance(v, int) for v in values)
    assert fingerprint[3] == user.time_zone  # and the zone's name, the latest change's time


def test_it_serves_the_cache_until_something_changes(cached, user):
    # Changed behind its back without moving the fingerprint: the cache answers.
    cache.set(stats_cache.key(user), (*cache.get(stats_cache.key(user))[:1], [], []))
    assert sessions(cached) == 0


def test_it_counts_a_new_sitting(cached):
    location = start(cached)
    cached.post(f"{location}finish/", {"minutes": "10"})
    assert sessions(cached) == 4


def test_it_counts_an_import_done_in_bulk(cached):
    upload(cached, log(row(), row()))
    assert sessions(cached) == 5


def test_it_counts_a_bulk_insert_by_another_process(cached, user):
    # As a worker's import would: straight to the database, no cache of this process touched.
    make_entries(user, 2)
    assert sessions(cached) == 5


def test_it_forgets_an_entry_in_the_trash_and_counts_it_restored(cached, user):
    entry = MeditationSession.objects.filter(user=user).first()
    cached.post(f"/journal/{entry.pk}/delete/")
    assert sessions(cached) == 2
    cached.post(f"/journal/{entry.pk}/restore/")
    assert sessions(cached) == 3


def test_it_forgets_a_purged_entry(cached, user):
    entry = MeditationSession.objects.filter(user=user).first()
    cached.post(f"/journal/{entry.pk}/delete/")
    assert sessions(cached) == 2
    MeditationSession.objects.filter(pk=entry.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31)
    )
    purge_trash.apply()
    assert sessions(cached) == 2
    assert cached.get(URL).context["stats"].sessions == 2


def test_it_counts_an_edit(cached, user):
    entry = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    assert sessions(cached) == 3  # unfinished: not counted
    MeditationSession.objects.filter(pk=entry.pk).update(
        ended_at=timezone.now(), actual_seconds=60, updated_at=timezone.now()
    )
    assert sessions(cached) == 4
    cached.post(f"/journal/{entry.pk}/edit/", {"reflection": "x", "mood": "calm"})
    assert sessions(cached) == 4


def test_it_counts_days_again_in_a_new_time_zone(signed_in, user):
    late = timezone.now().replace(hour=23, minute=30) - datetime.timedelta(days=2)
    MeditationSessionFactory(user=user, started_at=late, ended_at=late, actual_seconds=60)
    MeditationSessionFactory(
        user=user, started_at=late + datetime.timedelta(hours=1), ended_at=late, actual_seconds=60
    )
    assert signed_in.get(URL).context["stats"].days_practised == 2
    user.time_zone = "Asia/Tokyo"  # +9: both fall on the same Tokyo day
    user.save(update_fields=["time_zone"])
    assert signed_in.get(URL).context["stats"].days_practised == 1


def test_it_computes_the_stats_when_the_cache_is_down(signed_in, user, cache_down):
    make_entries(user, 2)
    assert sessions(signed_in) == 2
