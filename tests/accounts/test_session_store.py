"""Sessions from the shared cache, written through to the database (accounts/session_store.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.session_store import SessionStore
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

PAGE = "/accounts/settings/"


def session_reads(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len([q for q in queries.captured_queries if "django_session" in q["sql"]])


@pytest.fixture
def timeouts(monkeypatch) -> list[object]:
    """The timeouts sessions are written to the cache with."""
    seen: list[object] = []
    real = cache.set

    def spy(key, value, timeout=None, *args, **kwargs):
        if "sessions" in key:
            seen.append(timeout)
        return real(key, value, timeout, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return seen


def test_a_signed_in_page_reads_its_session_from_the_shared_cache(client, user, shared_versions):
    sign_in(client, user.email)
    assert session_reads(client) == 0
    cache.clear()  # without the copy, from the database (and kept again)
    assert session_reads(client) == 1
    assert session_reads(client) == 0


def test_with_a_process_local_cache_every_read_goes_to_the_database(client, user, local_versions):
    sign_in(client, user.email)
    assert session_reads(client) == 1
    assert session_reads(client) == 1


def test_the_copy_lives_no_longer_than_the_refresh_interval(
    client, user, shared_versions, settings, timeouts
):
    sign_in(client, user.email)
    cache.clear()
    session_reads(client)
    assert timeouts
    assert all(0 < t <= settings.SESSION_REFRESH_SECONDS for t in timeouts)


def test_a_session_ended_elsewhere_is_ended_at_once(client, user, shared_versions):
    sign_in(client, user.email)
    other = Client()
    sign_in(other, user.email)
    assert session_reads(other) == 0  # its copy is in the cache
    new = "a different long passphrase"
    client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    response = other.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get(PAGE).status_code == 200


def test_signing_out_leaves_no_copy_to_come_back_with(client, user, shared_versions):
    sign_in(client, user.email)
    cookie = client.cookies["sessionid"].value
    client.get(PAGE)
    client.post("/accounts/logout/")
    thief = Client()
    thief.cookies["sessionid"] = cookie
    assert thief.get(PAGE).status_code == 302
    assert not SessionStore().exists(cookie)


def test_the_cache_down_costs_the_session_nothing(client, user, shared_versions, cache_down):
    assert sign_in(client, user.email).status_code == 302
    assert session_reads(client) == 1
    client.post("/accounts/logout/")
    assert client.get(PAGE).status_code == 302


def test_a_signed_in_page_reads_the_shared_versions_with_its_session(
    client, user, shared_versions, cache_reads
):
    """The stats page asks for the catalogue version (stats_page.markup): it came with the
    session, in the same round trip."""
    sign_in(client, user.email)
    assert client.get("/journal/stats/").status_code == 200  # the page made and kept
    reads = cache_reads
    reads.clear()  # from here on
    assert client.get("/journal/stats/").status_code == 200
    assert "version:catalogue" in reads[0]
    assert any("sessions" in key for key in reads[0])
    assert not any("version:catalogue" in keys for keys in reads[1:])
