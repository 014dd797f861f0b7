"""A sitting's time in words (`meditation.models.time_sat`): seconds under a minute, "1 minute"
in the singular, never "0 min" for a sitting that happened (issue 14)."""

import pytest

from meditation.models import time_sat
from tests.factories import MeditationSessionFactory
from tests.meditation.sitting.test_views import start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 seconds"), (1, "1 second"), (45, "45 seconds"), (59, "59 seconds"),
     (60, "1 minute"), (89, "1 minute"), (90, "2 minutes"), (725, "12 minutes"),
     (7200, "120 minutes")],
)  # fmt: skip
def test_it_says_seconds_under_a_minute_and_minutes_after(seconds, words):
    assert time_sat(seconds) == words


def test_the_journal_shows_a_short_sitting_in_seconds(signed_in, user):
    entry = MeditationSessionFactory(user=user, actual_seconds=45)
    listed = signed_in.get("/journal/").content.decode()
    assert "45 seconds · " in listed
    assert "0 min" not in listed
    shown = signed_in.get(entry.get_absolute_url()).content.decode()
    assert "45 seconds of 10 minutes" in shown


def test_the_journal_says_one_minute_in_the_singular(signed_in, user):
    MeditationSessionFactory(user=user, actual_seconds=70)
    assert "1 minute · " in signed_in.get("/journal/").content.decode()


def test_a_visitors_closing_words_give_the_seconds(client):
    location = start(client, number="1")
    done = client.post(f"{location}finish/", {"elapsed_seconds": "0"})
    assert "for 0 seconds" in done.content.decode()
