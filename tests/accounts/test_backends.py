"""The signed-in person read by a prepared statement (accounts/backends.py): the same person the
ORM reads, the same refusals, and sessions made through Django's ModelBackend stay signed in."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import backends
from accounts.models import User
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

PAGE = "/accounts/settings/"


def fields(user: User) -> dict[str, object]:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_it_reads_the_person_the_orm_reads(user):
    user.last_login = timezone.now()
    user.time_zone = "Asia/Tokyo"
    user.save()
    read = backends.PersonBackend().get_user(user.pk)
    assert isinstance(read, User)
    assert fields(read) == fields(User.objects.get(pk=user.pk))
    assert isinstance(read.last_login, datetime.datetime)  # the backend's converters applied
    assert read.last_login.tzinfo is not None
    assert (read._state.db, read._state.adding) == ("default", False)
    read.display_name = "saved through the instance"
    read.save()
    assert User.objects.get(pk=user.pk).display_name == "saved through the instance"


def test_it_sends_one_query_and_no_other(user):
    with CaptureQueriesContext(connection) as queries:
        backends.PersonBackend().get_user(user.pk)
    [query] = queries.captured_queries
    assert "accounts_user" in query["sql"]


def test_nobody_an_inactive_person_or_a_value_that_is_no_id(user):
    backend = backends.PersonBackend()
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None
    with pytest.raises(ValueError, match="expected a number"):  # as `get(pk="x")`
        backend.get_user("x")


def test_a_signed_in_page_never_builds_the_persons_query(client, user, monkeypatch):
    client.force_login(user)

    def refuse(*args, **kwargs):
        raise AssertionError("the person was read through the ORM")

    monkeypatch.setattr(User._default_manager.__class__, "get", refuse)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user == user


@pytest.mark.usefixtures("versions")
def test_a_session_made_through_djangos_backend_stays_signed_in(client, user):
    client.force_login(user, backend=backends.LEGACY_PATH)
    stored = Session.objects.get(pk=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert stored.get_decoded()[BACKEND_SESSION_KEY] == backends.LEGACY_PATH
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    request = response.wsgi_request
    assert request.session[BACKEND_SESSION_KEY] == backends.PATH
    assert get_user(request) == user


def test_signing_in_records_this_backend(client, user):
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == backends.PATH


def test_what_another_app_reads_along_comes_in_the_same_query(user, monkeypatch):
    """`read_along` (the journal's fingerprint, from meditation's AppConfig): one statement,
    the value set on the person, and the person's own fields as before."""
    from django.db.models import OuterRef, Subquery

    monkeypatch.setattr(backends, "_read_along", dict(backends._read_along))
    backends.read_along(
        "email_again",
        lambda: Subquery(User.objects.filter(pk=OuterRef("pk")).values("email")[:1]),
    )
    try:
        with CaptureQueriesContext(connection) as queries:
            read = backends.read_person(user.pk)
        assert len(queries.captured_queries) == 1
        assert read is not None
        assert read.email_again == user.email
        assert fields(read) == fields(User.objects.get(pk=user.pk))
    finally:
        backends._statement.cache_clear()


def test_the_journal_fingerprint_read_with_the_person_is_the_one_read_alone(user):
    from meditation.journal import stats_cache
    from tests.factories import make_entries

    read = backends.read_person(user.pk)
    assert stats_cache.fingerprint(read, as_request_began=True) == ("", user.time_zone)
    make_entries(user, 3)
    read = backends.read_person(user.pk)
    with CaptureQueriesContext(connection) as queries:
        along = stats_cache.fingerprint(read, as_request_began=True)
    assert queries.captured_queries == []
    assert along == stats_cache.fingerprint(user) != ("", user.time_zone)
    # Without the value read along (a person read otherwise), the query.
    otherwise = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert stats_cache.fingerprint(otherwise, as_request_began=True) == along
    assert len(queries.captured_queries) == 1
