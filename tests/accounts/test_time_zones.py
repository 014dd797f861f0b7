"""The time-zone choice in settings: real places grouped by region, plus UTC."""

import html
import json
import re
import zoneinfo

import pytest

from accounts import time_zones
from accounts.models import validate_time_zone

pytestmark = pytest.mark.django_db
URL = "/accounts/settings/"
SETTINGS = {
    "display_name": "", "default_session_minutes": "10", "dhikr_target": "33",
    "theme": "auto", "show_streaks": "on", "language": "en",
}  # fmt: skip
REGIONS = ["Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
           "Indian", "Pacific"]  # fmt: skip


def zone_select(client):
    page = client.get(URL).content.decode()
    match = re.search(r'<select name="time_zone".*?</select>', page, re.DOTALL)
    assert match, "no time-zone list"
    return match.group(0)


def offered(select):
    return re.findall(r'<option value="([^"]*)"', select)


def test_it_groups_the_zones_by_region_after_utc(signed_in):
    select = zone_select(signed_in)
    assert re.findall(r'<optgroup label="([^"]+)">', select) == REGIONS
    zones = offered(select)
    assert zones[0] == "UTC"  # first, outside any region
    assert select.index('value="UTC"') < select.index("<optgroup")
    for region in REGIONS:
        group = re.search(rf'<optgroup label="{region}">(.*?)</optgroup>', select, re.DOTALL)
        members = offered(group.group(1))
        assert members
        assert all(zone.startswith(f"{region}/") for zone in members)
    assert '<option value="Asia/Tokyo">Tokyo</option>' in select
    assert '<option value="America/Argentina/Buenos_Aires">Argentina/Buenos Aires' in select


@pytest.mark.parametrize(
    "name",
    ["Factory", "localtime", "posixrules", "Etc/GMT+5", "Etc/UTC", "GMT", "US/Pacific",
     "Asia/Calcutta", "Europe/Kiev", "America/Buenos_Aires", "EST5EDT", "Arctic/Longyearbyen"],
)  # fmt: skip
def test_it_lists_no_pseudo_zone_offset_or_deprecated_link(signed_in, name):
    assert name not in offered(zone_select(signed_in))


def test_it_lists_real_places_of_every_country(signed_in):
    zones = offered(zone_select(signed_in))
    places = {
        "Asia/Tokyo", "Asia/Kolkata", "Europe/Kyiv", "Europe/Oslo", "Europe/Istanbul",
        "America/New_York", "Pacific/Kiritimati", "Australia/Lord_Howe", "Antarctica/Troll",
        "Atlantic/Reykjavik", "Indian/Maldives", "Africa/Cairo",
    }  # fmt: skip
    assert places <= set(zones)
    assert len(zones) == len(set(zones)) > 350
    assert set(zones) <= zoneinfo.available_timezones()  # the model accepts each
    validate_time_zone(zones[-1])


@pytest.mark.parametrize("name", ["Factory", "US/Pacific", "Etc/GMT+5", "Asia/Calcutta"])
def test_it_refuses_a_zone_that_is_not_listed(signed_in, user, name):
    response = signed_in.post(URL, {**SETTINGS, "time_zone": name})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_it_keeps_an_older_choice_that_is_no_longer_listed(signed_in, user):
    user.time_zone = "US/Pacific"  # valid, chosen when every name was listed
    user.save()
    select = zone_select(signed_in)
    assert '<option value="US/Pacific" selected>US/Pacific (your current choice)' in select
    response = signed_in.post(URL, {**SETTINGS, "time_zone": "US/Pacific", "theme": "dark"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.time_zone, user.theme) == ("US/Pacific", "dark")


def test_it_hands_the_suggestion_script_the_zones_other_names(signed_in):
    select = zone_select(signed_in)
    assert "data-zone-suggest" in select
    raw = re.search(r'data-zone-aliases="([^"]*)"', select).group(1)
    aliases = json.loads(html.unescape(raw))
    assert aliases["Asia/Calcutta"] == "Asia/Kolkata"
    assert aliases["Europe/Kiev"] == "Europe/Kyiv"
    assert aliases["Etc/UTC"] == "UTC"
    assert set(aliases.values()) <= set(time_zones.listed())
    assert not set(aliases) & set(time_zones.listed())


def test_it_loads_the_script_as_a_file_on_the_settings_page_only(signed_in):
    settings_page = signed_in.get(URL).content.decode()
    assert '<script src="/static/js/time_zone.js" defer></script>' in settings_page
    assert "time_zone.js" not in signed_in.get("/journal/").content.decode()
