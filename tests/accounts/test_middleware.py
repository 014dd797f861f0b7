"""Every time a signed-in person sees is in their zone; visitors see UTC, labelled."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError
from django.utils import timezone

from meditation.models import ExportJob, ImportJob
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db

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


def test_a_database_outage_is_still_the_503_page_for_a_signed_in_person(signed_in, monkeypatch):
    def down(request):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.contrib.auth.get_user", down)
    response = signed_in.get("/journal/")
    assert response.status_code == 503
