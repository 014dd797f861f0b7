"""A signed-in person's home page shows their practice (issue 14): a sitting to continue, the
streak (unless hidden), the start of the last reflection; a warm word for a new journal."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_person_is_welcomed_not_shown_zeros(signed_in):
    html = home(signed_in)
    assert "Your practice" in html
    assert "waiting for its first page" in html
    assert "Current streak" not in html


def test_it_offers_to_continue_the_newest_unfinished_sitting(signed_in, user):
    older = MeditationSessionFactory(
        user=user,
        ended_at=None,
        actual_seconds=None,
        started_at=timezone.now() - datetime.timedelta(days=1),
    )
    newer = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    html = home(signed_in)
    assert f'href="/meditate/{newer.pk}/">Continue</a>' in html
    assert f"/meditate/{older.pk}/" not in html


def test_it_shows_the_streak_and_the_last_reflection(signed_in, user):
    MeditationSessionFactory(
        user=user,
        reflection="An older word.",
        started_at=timezone.now() - datetime.timedelta(days=1),
    )
    MeditationSessionFactory(user=user, reflection="Patience is   a door.\n\nIt opens slowly.")
    MeditationSessionFactory(user=user, reflection="")  # the newest has no words: skipped
    html = home(signed_in)
    assert "<dt>Current streak</dt><dd>2 days</dd>" in html
    assert "<blockquote><p>Patience is a door. It opens slowly.</p></blockquote>" in html
    assert "An older word." not in html


def test_a_hidden_streak_stays_hidden_and_the_trash_is_not_shown(signed_in, user):
    user.show_streaks = False
    user.save(update_fields=["show_streaks"])
    MeditationSessionFactory(user=user, reflection="kept")
    MeditationSessionFactory(user=user, reflection="binned", deleted_at=timezone.now())
    html = home(signed_in)
    assert "streak" not in html.lower()
    assert "binned" not in html


def test_another_persons_practice_never_shows(signed_in, user):
    other = UserFactory()
    MeditationSessionFactory(user=other, reflection="not yours", ended_at=None, actual_seconds=None)
    html = home(signed_in)
    assert "not yours" not in html
    assert "Continue</a>" not in html


def test_a_visitor_sees_no_practice(client):
    assert "Your practice" not in home(client)
