"""Accounts' middleware: the absolute session lifetime; every time a signed-in person sees
is in their zone, visitors see UTC, labelled."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.middleware import SIGNED_IN_AT, loaded
from accounts.models import AuthSession, User
from meditation.models import ExportJob, ImportJob
from tests.accounts.helpers import actions, sign_in
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db
DAY = 86400


def age_session(client, seconds):
    session = client.session
    session[SIGNED_IN_AT] = time.time() - seconds
    session.save()


def test_it_signs_out_a_session_past_its_lifetime_however_active(client, user, settings):
    sign_in(client, user.email)
    assert client.session[SIGNED_IN_AT] == pytest.approx(time.time(), abs=60)
    age_session(client, settings.SESSION_ABSOLUTE_AGE - 60)
    assert client.get("/accounts/settings/").status_code == 200
    age_session(client, settings.SESSION_ABSOLUTE_AGE + 1)
    response = client.get("/accounts/settings/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "a session lasts at most 30 days" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "session_expired" in actions(actor=user)
    assert not AuthSession.objects.filter(user=user).exists()


def test_the_idle_expiry_never_reaches_past_the_lifetime(client, user, settings):
    sign_in(client, user.email)
    age_session(client, settings.SESSION_ABSOLUTE_AGE - DAY)
    response = client.get("/accounts/settings/")
    assert 0 < int(response.cookies["sessionid"]["max-age"]) <= DAY
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.expire_date.timestamp() <= time.time() + DAY + 5


def test_it_reads_the_lifetime_from_settings(client, user, settings):
    settings.SESSION_ABSOLUTE_AGE = 3600
    sign_in(client, user.email)
    age_session(client, 3601)
    assert client.get("/accounts/settings/").status_code == 302


def test_a_session_from_before_the_lifetime_counts_from_its_sign_in_record(client, user, settings):
    sign_in(client, user.email)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    record = AuthSession.objects.get(user=user)
    old = record.created_at - datetime.timedelta(days=31)
    AuthSession.objects.filter(pk=record.pk).update(created_at=old)
    assert client.get("/accounts/settings/").status_code == 302


# --- The person's zone ---

UTC = datetime.UTC
# The person's zone, the moment (UTC), how their pages write it, and the local day 30 days
# (the trash) and 7 days (an export) later. 10:00 in Tokyo is 01:00 UTC; near midnight the
# local day is the one written, not the UTC day.
MOMENTS = [
    pytest.param(
        "Asia/Tokyo", datetime.datetime(2026, 3, 2, 1, 0, tzinfo=UTC), "2 Mar 2026, 10:00",
        "1 Apr 2026", "9 Mar 2026", id="10:00 in Tokyo",
    ),
    pytest.param(
        "Asia/Tokyo", datetime.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "2 Mar 2026, 08:30",
        "1 Apr 2026", "9 Mar 2026", id="08:30 in Tokyo, still the day before in UTC",
    ),
    pytest.param(
        "Asia/Tokyo", datetime.datetime(2026, 3, 2, 14, 30, tzinfo=UTC), "2 Mar 2026, 23:30",
        "1 Apr 2026", "9 Mar 2026", id="23:30 in Tokyo",
    ),
    pytest.param(
        "America/New_York", datetime.datetime(2026, 3, 2, 4, 30, tzinfo=UTC),
        "1 Mar 2026, 23:30", "1 Apr 2026", "9 Mar 2026",
        id="23:30 in New York, already the next day in UTC",
    ),
]  # fmt: skip
FIELDS = ("zone", "moment", "shown", "purge_day", "expiry_day")


def in_zone(user, zone):
    user.time_zone = zone
    user.save()
    return user


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(FIELDS, MOMENTS)
def test_it_shows_an_entry_at_its_local_time_on_every_page(
    signed_in, user, zone, moment, shown, purge_day, expiry_day
):
    entry = MeditationSessionFactory(user=in_zone(user, zone), started_at=moment)
    local = moment.astimezone(ZoneInfo(zone))
    for url in ("/journal/", f"/journal/{entry.pk}/edit/"):
        html = page(signed_in, url)
        assert shown in html, url
        assert f'datetime="{local.isoformat()}"' in html, url
    day, time = shown.split(", ")
    entry_page = page(signed_in, f"/journal/{entry.pk}/")
    assert f"<title>{entry.name.transliteration} · {day}" in entry_page
    assert f"{local:%A %-d %B %Y}, {time}</time>" in entry_page
    assert f'datetime="{local.isoformat()}"' in entry_page


@pytest.mark.parametrize(FIELDS, MOMENTS)
def test_it_shows_the_trash_and_its_purge_day_in_local_time(
    signed_in, user, settings, zone, moment, shown, purge_day, expiry_day
):
    settings.TRASH_RETENTION_DAYS = 30
    MeditationSessionFactory(user=in_zone(user, zone), started_at=moment, deleted_at=moment)
    html = page(signed_in, "/journal/trash/")
    assert shown in html
    assert f"Deleted for good on {purge_day}" in html


@pytest.mark.parametrize(FIELDS, MOMENTS)
def test_it_shows_exports_and_imports_at_local_times(
    signed_in, user, zone, moment, shown, purge_day, expiry_day
):
    in_zone(user, zone)
    ExportJob.objects.create(
        owner=user, status="done", created_at=moment, finished_at=moment,
        expires_at=moment + datetime.timedelta(days=7), file="exports/x.csv",
    )  # fmt: skip
    job = ImportJob.objects.create(owner=user, status="done", created_at=moment, size=10)
    exports = page(signed_in, "/exports/")
    assert shown in exports
    assert f"available until {expiry_day}" in exports
    assert shown in page(signed_in, "/journal/import/")
    assert shown in page(signed_in, f"/journal/import/{job.pk}/")


def test_it_names_the_zone_the_journal_is_shown_in(signed_in, user):
    assert "Times are in UTC" in page(signed_in, "/journal/")
    in_zone(user, "Asia/Tokyo")
    assert "Times are in Asia/Tokyo" in page(signed_in, "/journal/")


def test_a_visitor_sees_utc_labelled(client):
    html = page(client, "/")
    today = datetime.datetime.now(UTC).date()
    assert f'<time datetime="{today:%Y-%m-%d}">{today:%-d %B %Y}</time> (UTC)' in html


def test_no_zone_outlives_its_request(signed_in, user, client):
    in_zone(user, "Asia/Tokyo")
    page(signed_in, "/journal/")
    # The test client runs the request in this thread: its zone must be gone.
    assert timezone.get_current_timezone_name() == "UTC"


def test_staff_see_the_admin_in_their_zone(staff_client):
    in_zone(staff_client.staff_user, "Asia/Tokyo")
    ExportJob.objects.create(
        owner=staff_client.staff_user, created_at=datetime.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    )
    html = page(staff_client, "/admin/meditation/exportjob/")
    assert "March 2, 2026, 10 a.m." in html


# --- LoadedUserMiddleware --------------------------------------------------------------------


def test_a_signed_in_request_carries_the_person_itself(signed_in, user):
    request = signed_in.get("/accounts/settings/").wsgi_request
    assert type(request.user) is User
    assert request.user == user
    assert request.user.is_verified() is False  # the second factor's attributes are kept


def test_a_verified_second_factor_is_kept_on_the_person(client, user):
    from tests.conftest import verify_second_factor

    verify_second_factor(client, user)
    request = client.get("/accounts/settings/").wsgi_request
    assert type(request.user) is User
    assert request.user.is_verified() is True


def test_a_visitor_is_the_anonymous_user_itself(client):
    request = client.get("/accounts/login/").wsgi_request
    assert type(request.user) is AnonymousUser


def test_loaded_unwraps_lazy_objects_within_lazy_objects():
    calls: list[str] = []
    inner = SimpleLazyObject(lambda: calls.append("inner") or "the value")
    outer = SimpleLazyObject(lambda: calls.append("outer") or inner)
    assert loaded(outer) == "the value"
    assert calls == ["outer", "inner"]
    assert loaded("plain") == "plain"
