"""The absolute session lifetime, besides the idle one."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session

from accounts.middleware import SIGNED_IN_AT
from accounts.models import AuthSession
from tests.accounts.helpers import actions, sign_in

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
