"""The journal's query parameters: dates stay within bounds, whatever the address says."""

import datetime

import pytest

from meditation.dates import OUT_OF_RANGE
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo(user):
    user.time_zone = "Asia/Tokyo"
    user.save()
    return user


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "1969-12-31"},
        {"to": "2101-01-01"},
    ],
)
def test_it_refuses_dates_outside_the_bounds_with_a_message(signed_in, tokyo, params):
    MeditationSessionFactory(user=tokyo)
    response = signed_in.get("/journal/", params)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert all(errors[key] == [OUT_OF_RANGE] for key in params)
    assert OUT_OF_RANGE in response.content.decode()
    assert response.context["entries"] == []


def test_it_accepts_the_bounds_themselves(signed_in, tokyo):
    MeditationSessionFactory(user=tokyo, intention="in 2026")
    MeditationSessionFactory(
        user=tokyo, intention="first day",
        started_at=datetime.datetime(1970, 1, 1, 0, 30, tzinfo=datetime.UTC),
    )  # fmt: skip
    response = signed_in.get("/journal/", {"from": "1970-01-01", "to": "2100-12-31"})
    assert response.context["form"].errors == {}
    assert [e.intention for e in response.context["entries"]] == ["in 2026", "first day"]


def test_it_offers_only_dates_within_the_bounds_in_the_picker(signed_in):
    html = signed_in.get("/journal/").content.decode()
    assert html.count('min="1970-01-01"') == 2
    assert html.count('max="2100-12-31"') == 2
