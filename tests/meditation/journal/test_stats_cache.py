"""The stats' cache: the numbers and the page made of them, never older than the person's entries,
their time zone and settings, the day, the catalogue or the markup; never a word of the journal."""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe

from meditation.journal import stats, stats_cache, stats_page
from meditation.journal.tasks import purge_trash
from meditation.models import DivineName, MeditationSession
from tests.accounts.helpers import PASSWORD
from tests.factories import (
    MeditationSessionFactory,
    UserFactory,
    make_entries,
    spacing_within_today,
)
from tests.meditation.helpers import committed
from tests.meditation.imports.helpers import log, row, upload
from tests.meditation.sitting.test_views import start

pytestmark = pytest.mark.django_db
URL = "/journal/stats/"
SECRET_INTENTION = "to forgive my brother Yusuf"
SECRET_REFLECTION = "the quarrel of last winter still aches"


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> int:
    return int(re.search(rf'<dd id="{name}">(\d+)', html).group(1))


def sessions(client) -> int:
    return figure(page(client), "total-sessions")


def days_practised(client) -> int:
    return figure(page(client), "days-practised")


@pytest.fixture
def cached(signed_in, user):
    """Three finished entries on today's date (UTC), their stats page made once (so kept)."""
    make_entries(user, 3, every=spacing_within_today(3))
    assert sessions(signed_in) == 3
    assert cache.get(stats_cache.page_key(user)) is not None
    return signed_in


def replace_kept_page(user, markup: str, *, shared_only: bool = False) -> None:
    """Put `markup` where the person's page is kept, under the same fingerprint: what the next
    page shows then tells whether it was made again."""
    shows, _ = cache.get(stats_cache.page_key(user))
    cache.set(stats_cache.page_key(user), (shows, markup))
    stats_cache.recent.clear()
    if not shared_only:
        stats_cache.recent.put(stats_cache.page_key(user), shows, mark_safe(markup))  # noqa: S308


TAMPERED = '<p>kept</p><dd id="total-sessions">0</dd>'


# What is kept


def test_it_keeps_numbers_only(cached, user):
    fingerprint, (days, names) = cache.get(stats_cache.key(user))
    assert fingerprint[1] == user.time_zone  # and the latest change's time
    values = [*(v for day in days for v in day), *(v for n in names for v in n)]
    assert values
    assert all(isinstance(v, int) for v in values)


def test_it_keeps_no_word_of_the_journal(signed_in, user):
    MeditationSessionFactory(user=user, intention=SECRET_INTENTION, reflection=SECRET_REFLECTION)
    html = page(signed_in)
    kept = [cache.get(stats_cache.key(user)), cache.get(stats_cache.page_key(user))]
    assert all(value is not None for value in kept)
    stored = pickle.dumps(kept) + stats_cache.recent.get(
        stats_cache.page_key(user), kept[1][0]
    ).encode("utf-8")
    for secret in (SECRET_INTENTION, SECRET_REFLECTION, "Yusuf", "quarrel"):
        assert secret.encode("utf-8") not in stored
        assert secret not in html


def test_it_keeps_the_markup_inside_the_frame_only(cached, user):
    # The frame (the sign-out form's CSRF token, who is signed in) is rendered every time.
    html = page(cached)
    _, markup = cache.get(stats_cache.page_key(user))
    assert "csrfmiddlewaretoken" in html
    assert "csrfmiddlewaretoken" not in markup
    assert user.email not in markup
    assert markup.lstrip().startswith('<div class="stats">')


def test_it_keeps_nothing_longer_than_the_trash_keeps_an_entry(settings):
    assert stats_cache.timeout() == 7 * 24 * 3600
    settings.TRASH_RETENTION_DAYS = 2
    assert stats_cache.timeout() == 2 * 24 * 3600


def test_this_process_forgets_its_copy_at_the_timeout(cached, user, monkeypatch):
    shows, _ = cache.get(stats_cache.page_key(user))
    slot = stats_cache.page_key(user)
    assert stats_cache.recent.get(slot, shows) is not None
    later = stats_cache.time.monotonic() + stats_cache.timeout()
    monkeypatch.setattr(stats_cache.time, "monotonic", lambda: later)
    assert stats_cache.recent.get(slot, shows) is None


# Where a page comes from


def test_it_serves_the_kept_page_until_something_changes(cached, user):
    replace_kept_page(user, TAMPERED)
    assert "<p>kept</p>" in page(cached)


def test_another_process_serves_the_shared_page(cached, user):
    # This process has no copy (another worker made the page): the shared cache answers.
    replace_kept_page(user, TAMPERED, shared_only=True)
    assert "<p>kept</p>" in page(cached)


def test_this_process_serves_its_copy_without_asking_the_shared_cache(cached, user, monkeypatch):
    asked = []
    real_get_many = cache.get_many

    def get_many(keys, *args, **kwargs):
        asked.extend(keys)
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    assert sessions(cached) == 3
    assert stats_cache.page_key(user) not in asked


def test_it_computes_the_page_when_the_cache_is_down(signed_in, user, cache_down):
    make_entries(user, 2)
    assert sessions(signed_in) == 2
    stats_cache.recent.clear()
    make_entries(user, 1)
    assert sessions(signed_in) == 3


# Every change shows at once


def test_it_counts_a_new_sitting(cached):
    location = start(cached)
    assert sessions(cached) == 3  # unfinished: not counted
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
    assert not MeditationSession.objects.filter(pk=entry.pk).exists()


def test_it_counts_an_update_that_does_not_name_updated_at(cached, user):
    entry = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    assert sessions(cached) == 3  # unfinished: not counted
    # The queryset's update moves `updated_at` itself.
    MeditationSession.objects.filter(pk=entry.pk).update(ended_at=timezone.now(), actual_seconds=60)
    assert sessions(cached) == 4


def test_it_counts_an_edit(cached, user):
    entry = MeditationSession.objects.filter(user=user).first()
    cached.post(f"/journal/{entry.pk}/edit/", {"reflection": "x", "mood": "calm"})
    assert sessions(cached) == 3


def test_it_counts_days_moved_by_a_bulk_update(cached, user):
    assert days_practised(cached) == 1  # three entries, within one day (UTC)
    entries = list(MeditationSession.objects.filter(user=user).order_by("started_at"))
    for offset, entry in enumerate(entries):
        entry.started_at -= datetime.timedelta(days=offset * 2)
    MeditationSession.objects.bulk_update(entries, ["started_at"])
    assert days_practised(cached) == 3


def test_it_counts_days_again_in_a_new_time_zone(signed_in, user):
    late = timezone.now().replace(hour=23, minute=30) - datetime.timedelta(days=2)
    MeditationSessionFactory(user=user, started_at=late, ended_at=late, actual_seconds=60)
    MeditationSessionFactory(
        user=user, started_at=late + datetime.timedelta(hours=1), ended_at=late, actual_seconds=60
    )
    assert days_practised(signed_in) == 2
    user.time_zone = "Asia/Tokyo"  # +9: both fall on the same Tokyo day
    user.save(update_fields=["time_zone"])
    html = page(signed_in)
    assert figure(html, "days-practised") == 1
    assert "your time zone (Asia/Tokyo)" in html


def test_it_shows_or_hides_the_streaks_at_once(cached, user):
    assert "Current streak" in page(cached)
    user.show_streaks = False
    user.save(update_fields=["show_streaks"])
    assert "streak" not in page(cached).lower()


def test_it_moves_the_calendar_on_a_new_day(cached, user, monkeypatch):
    today = stats.local_today(stats.user_zone(user.time_zone))
    tomorrow = today + datetime.timedelta(days=1)
    assert f"No sessions on {tomorrow.isoformat()}" not in page(cached)
    monkeypatch.setattr(stats, "local_today", lambda zone: tomorrow)
    html = page(cached)
    assert f"<title>No sessions on {tomorrow.isoformat()}</title>" in html
    assert figure(html, "current-streak") == 1  # practised yesterday: the streak holds


def test_it_shows_a_curators_edit_of_a_most_drawn_name(cached, user):
    name = DivineName.objects.get(number=1)
    assert f"1. {name.transliteration}</a>" in page(cached)
    name.transliteration = "Ar-Raḥmān (edited)"
    name.save()
    assert "1. Ar-Raḥmān (edited)</a>" in page(cached)


def test_it_makes_the_page_again_for_a_new_build(cached, user, monkeypatch):
    replace_kept_page(user, TAMPERED)
    monkeypatch.setattr(stats_page, "code_version", lambda: "a deploy later")
    assert "<p>kept</p>" not in page(cached)
    assert sessions(cached) == 3


def test_it_forgets_a_deleted_account(cached, user):
    slots = [stats_cache.key(user), stats_cache.page_key(user)]
    assert all(cache.get(slot) is not None for slot in slots)
    with committed():
        response = cached.post("/accounts/delete/", {"current_password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert all(cache.get(slot) is None for slot in slots)
    assert not stats_cache.recent._pages
    # A new account never gets the old one's id, so never its page.
    newcomer = UserFactory()
    assert newcomer.pk != user.pk
    cached.force_login(newcomer)
    assert sessions(cached) == 0
