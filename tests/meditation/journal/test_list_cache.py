"""/journal/: the list's body comes sealed from the cache while nothing it shows has moved."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meditation.journal import list_cache, stats_cache
from meditation.models import CATALOGUE_VERSION, DivineName
from tests.factories import MeditationSessionFactory, make_entries

pytestmark = pytest.mark.django_db

URL = "/journal/"


def page(client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def unmasked(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def entry_queries(client, url: str = URL) -> list[str]:
    """The SQL a page sends about entries (not the session, the person or the fingerprint,
    which is read with the person: `accounts.backends.read_along`)."""
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    fingerprint = stats_cache.statement().split("%s")[0]
    return [
        q["sql"]
        for q in queries.captured_queries
        if "meditation_meditationsession" in q["sql"]
        and not q["sql"].startswith(fingerprint)
        and '"accounts_user"' not in q["sql"].split(" FROM ")[-1]
    ]


@pytest.fixture
def kept(monkeypatch) -> dict[str, object]:
    """What is written to the cache from now on, by key (any backend: locmem or Redis)."""
    written: dict[str, object] = {}
    real = cache.set

    def spy(key, value, *args, **kwargs):
        written[key] = value
        return real(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return written


def test_the_second_visit_reads_no_entry_and_shows_the_same(signed_in, user):
    make_entries(user, 30)
    first = page(signed_in)
    assert entry_queries(signed_in) == []
    # The same page, but for the sign-out form's token (masked afresh for every response).
    assert unmasked(page(signed_in)) == unmasked(first)
    cache.clear()  # without the cache and this process's copy, the same visit reads them
    list_cache.recent.clear()
    assert entry_queries(signed_in)


@pytest.mark.parametrize("url", [URL, "/journal/?q=intention", "/journal/?page=2"])
def test_few_and_many_entries_cost_the_same_queries_once_kept(
    signed_in, user, url, django_assert_max_num_queries
):
    make_entries(user, 25)
    page(signed_in, url)
    # The session and the person with the fingerprint (the catalogue version is one query
    # more on a process-local cache).
    with django_assert_max_num_queries(3):
        page(signed_in, url)
    make_entries(user, 500)
    page(signed_in, url)
    with django_assert_max_num_queries(3):
        page(signed_in, url)


def test_an_edit_shows_at_once(signed_in, user):
    entry = MeditationSessionFactory(user=user, intention="before the edit")
    assert "before the edit" in page(signed_in)
    entry.intention = "after the edit"
    entry.save()
    body = page(signed_in)
    assert "after the edit" in body
    assert "before the edit" not in body


def test_a_new_entry_and_one_in_the_trash_show_at_once(signed_in, user):
    kept = MeditationSessionFactory(user=user, intention="kept one")
    assert "1 entry." in page(signed_in)
    MeditationSessionFactory(user=user, intention="added one")
    assert "2 entries." in page(signed_in)
    signed_in.post(f"/journal/{kept.pk}/delete/")
    body = page(signed_in)
    assert "1 entry." in body
    assert "kept one" not in body


def test_a_bulk_insert_by_an_import_shows_at_once(signed_in, user):
    make_entries(user, 3)
    assert "3 entries." in page(signed_in)
    make_entries(user, 2, intention="imported")
    assert "5 entries." in page(signed_in)


def test_a_new_time_zone_shows_the_times_in_it(signed_in, user):
    start = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
    MeditationSessionFactory(user=user, started_at=start)
    assert start.strftime("%H:%M") in page(signed_in)
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    assert "10:00" in page(signed_in)


def test_a_curators_edit_of_a_name_shows_at_once(signed_in, user):
    name = DivineName.objects.get(number=1)
    MeditationSessionFactory(user=user, name=name)
    assert name.transliteration in page(signed_in)
    name.transliteration = "Ar-Raḥmān (edited)"
    name.save()
    assert "Ar-Raḥmān (edited)" in page(signed_in)


def test_the_cache_holds_no_readable_text_or_search_word(signed_in, user, kept):
    MeditationSessionFactory(user=user, intention="a secret longing for patience")
    page(signed_in, "/journal/?q=longing")
    values = [value for key, value in kept.items() if ":journal-list:" in key]
    assert values
    for value in values:
        raw = value if isinstance(value, bytes) else str(value).encode()
        assert b"longing" not in raw
        assert b"patience" not in raw
    assert not [key for key in kept if "longing" in key]


def test_two_people_never_share_a_page(signed_in, user, other_user, client):
    MeditationSessionFactory(user=other_user, intention="not yours")
    MeditationSessionFactory(user=user, intention="yours")
    assert "yours" in page(signed_in)
    client.force_login(other_user)
    body = page(client)
    assert "not yours" in body
    assert list_cache.key(user, ("same",)) != list_cache.key(other_user, ("same",))


def test_markup_sealed_under_a_key_no_longer_configured_is_rendered_again(user):
    parts = ("a page",)
    stranger = Fernet(Fernet.generate_key())
    planted = (CATALOGUE_VERSION.current(), stranger.encrypt(b"<p>planted</p>"))
    cache.set(list_cache.key(user, parts), planted)
    assert list_cache.sealed_results(user, parts, lambda: "<p>ours</p>") == "<p>ours</p>"
    # ...and what is kept now is ours, sealed under the configured key.
    assert list_cache.sealed_results(user, parts, lambda: "<p>other</p>") == "<p>ours</p>"


def test_markup_made_at_another_catalogue_version_is_made_again(user, versions):
    parts = ("a page",)
    assert list_cache.sealed_results(user, parts, lambda: "<p>old</p>") == "<p>old</p>"
    assert list_cache.sealed_results(user, parts, lambda: "<p>new</p>") == "<p>old</p>"
    name = DivineName.objects.get(number=2)
    name.meaning = "edited"
    name.save()
    assert list_cache.sealed_results(user, parts, lambda: "<p>new</p>") == "<p>new</p>"
    assert list_cache.sealed_results(user, parts, lambda: "<p>newer</p>") == "<p>new</p>"


def test_the_version_and_the_markup_are_one_read_of_the_cache(signed_in, user, shared_versions,
                                                              cache_reads):  # fmt: skip
    make_entries(user, 3)
    page(signed_in)
    reads = cache_reads
    reads.clear()  # from here on
    list_cache.recent.clear()  # another process: the shared copy
    page(signed_in)
    # The version comes with the session (platform.versions.get_with_versions), the markup
    # alone; never a read of the version of its own.
    assert [keys for keys in reads if any(":journal-list:" in key for key in keys)]
    assert [keys for keys in reads if CATALOGUE_VERSION.key in keys and
            any("sessions" in key for key in keys)]  # fmt: skip
    assert not [keys for keys in reads if keys == (CATALOGUE_VERSION.key,)]


def test_this_processs_copy_is_served_without_reading_the_shared_cache(
    signed_in, user, shared_versions, cache_reads
):
    make_entries(user, 3)
    first = page(signed_in)
    reads = cache_reads
    reads.clear()  # from here on
    assert unmasked(page(signed_in)) == unmasked(first)
    assert len(reads) == 1  # the session and the versions; no read of the page
    assert not any(":journal-list:" in key for key in reads[0])
    make_entries(user, 1, intention="a new one")  # a new key: made again
    assert "4 entries." in page(signed_in)


def test_a_copy_made_at_another_catalogue_version_is_made_again(signed_in, user, shared_versions):
    MeditationSessionFactory(user=user, intention="shown")
    page(signed_in)
    [(before, _, _)] = list_cache.recent._pages.values()
    CATALOGUE_VERSION.bump()  # as a curator's edit does
    assert "shown" in page(signed_in)
    [(after, _, _)] = list_cache.recent._pages.values()
    assert after == CATALOGUE_VERSION.current() != before


def test_the_page_is_rendered_when_the_cache_is_down(signed_in, user, cache_down):
    MeditationSessionFactory(user=user, intention="shown anyway")
    assert "shown anyway" in page(signed_in)
    assert "shown anyway" in page(signed_in)


def test_a_form_with_errors_is_never_kept(signed_in, user, kept):
    page(signed_in, "/journal/?name=500")
    assert not [key for key in kept if ":journal-list:" in key]
    page(signed_in, "/journal/?name=5")  # (the same, valid, is kept)
    assert [key for key in kept if ":journal-list:" in key]
