"""`iso_time`: a `<time datetime>` value HTML accepts, in the person's time zone."""

import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from aysekai_site.platform.template_filters import iso_time

MOMENT = datetime.datetime(2026, 12, 1, 15, 30, 5, 748253, tzinfo=datetime.UTC)


def test_it_gives_whole_seconds_with_the_offset_of_the_active_zone():
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert iso_time(MOMENT) == "2026-12-02T00:30:05+09:00"
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        assert iso_time(MOMENT) == "2026-12-01T07:30:05-08:00"


def test_every_template_has_it_and_nothing_is_not_a_time():
    rendered = Template('<time datetime="{{ when|iso_time }}">').render(Context({"when": MOMENT}))
    assert rendered == '<time datetime="2026-12-01T15:30:05+00:00">'
    assert iso_time(None) == ""
    assert iso_time("soon") == ""
