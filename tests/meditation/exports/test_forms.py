"""An export's date range stays within the bounds every date input has."""

import datetime
import json

import pytest

from meditation.dates import OUT_OF_RANGE
from meditation.exports import tasks
from meditation.models import ExportJob
from tests.factories import ExportJobFactory, MeditationSessionFactory

from .helpers import download, request_export

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_from": "1969-12-31", "date_to": "2026-01-01"}, "date_from"),
        ({"date_to": "2101-01-01"}, "date_to"),
    ],
)
def test_it_refuses_a_range_outside_the_bounds_before_any_job_exists(signed_in, dates, field):
    response = request_export(signed_in, "json", **dates)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [OUT_OF_RANGE]
    assert OUT_OF_RANGE in response.content.decode()
    assert not ExportJob.objects.exists()


def test_it_exports_the_whole_bounded_range(signed_in, user):
    user.time_zone = "Pacific/Kiritimati"  # UTC+14: the earliest local midnight there is
    user.save()
    MeditationSessionFactory(user=user, intention="now")
    request_export(signed_in, "json", date_from="1970-01-01", date_to="2100-12-31")
    job = ExportJob.objects.get()
    assert job.status == "done"
    body, _ = download(signed_in, job)
    assert [s["intention"] for s in json.loads(body)["sessions"]] == ["now"]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_job_asked_for_before_the_bounds_still_builds(user, zone):
    # Such jobs were accepted until the forms were bounded: they build instead of failing.
    user.time_zone = zone
    user.save()
    MeditationSessionFactory(user=user)
    job = ExportJobFactory(
        owner=user, format="json", date_from=datetime.date.min, date_to=datetime.date.max
    )
    assert tasks.build_export(str(job.pk)) == "done"
    job.refresh_from_db()
    assert job.rows == 1
