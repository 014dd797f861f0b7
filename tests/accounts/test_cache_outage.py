"""A cache (Redis) outage never breaks an account page; the sign-in lockout still holds.

The rate limits on sign-up and password reset count in the cache: while it is down they fail
open (issue 12). The lockout and the second-factor throttle live in the database.
"""

import logging

import pytest

from accounts.models import User
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def test_sign_up_works_while_the_cache_is_down(client, cache_down, settings, caplog):
    settings.SIGNUP_RATE = "1/h"
    with caplog.at_level(logging.WARNING):
        for n in range(2):  # past the limit: it cannot be counted, so it lets people in
            client.logout()
            response = client.post(
                "/accounts/signup/",
                {"email": f"n{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
            )
            assert response.status_code == 302
    assert User.objects.filter(email__in=["n0@example.com", "n1@example.com"]).count() == 2
    assert "cache unavailable (increment failed open)" in caplog.text


def test_a_password_reset_is_sent_while_the_cache_is_down(client, user, cache_down, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1


def test_the_sign_in_lockout_holds_while_the_cache_is_down(client, user, cache_down):
    statuses = [sign_in(client, user.email, "wrong password here").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert sign_in(client, user.email).status_code == 429  # the right password, still locked
    assert "_auth_user_id" not in client.session
