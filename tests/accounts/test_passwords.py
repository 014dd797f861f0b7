import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.accounts.helpers import PASSWORD, actions, sign_in

pytestmark = pytest.mark.django_db
NEW = "a different long passphrase"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


class TestChange:
    URL = "/accounts/password_change/"

    def data(self, **overrides):
        return {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW} | overrides

    def test_it_needs_sign_in(self, client):
        assert client.get(self.URL)["Location"].startswith("/accounts/login/")

    def test_it_changes_keeps_this_session_and_ends_the_others(self, client, user):
        other = Client()
        sign_in(other, user.email)
        sign_in(client, user.email)
        response = client.post(self.URL, self.data())
        assert response["Location"] == "/accounts/settings/"
        user.refresh_from_db()
        assert user.check_password(NEW)
        assert client.get("/accounts/settings/").status_code == 200
        assert other.get("/accounts/settings/").status_code == 302
        assert "password_changed" in actions(actor=user)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"old_password": "wrong"}, "old_password"),
            ({"old_password": ""}, "old_password"),
            ({"new_password2": "mismatch mismatch"}, "new_password2"),
            ({"new_password1": "short", "new_password2": "short"}, "new_password2"),
            ({"new_password1": "y" * 5000, "new_password2": "y" * 5000}, "new_password1"),
            ({"new_password1": "nul\x00nul nul nul", "new_password2": "nul\x00nul nul nul"},
             "new_password1"),
        ],
    )  # fmt: skip
    def test_it_answers_bad_input_with_field_errors(self, client, user, overrides, field):
        client.force_login(user)
        response = client.post(self.URL, self.data(**overrides))
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        user.refresh_from_db()
        assert user.check_password(PASSWORD)


class TestReset:
    URL = "/accounts/password_reset/"

    def test_it_never_reveals_whether_an_address_has_an_account(self, client, user):
        known = client.post(self.URL, {"email": user.email})
        unknown = client.post(self.URL, {"email": "nobody@example.com"})
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
        page = client.get(known["Location"]).content.decode()
        assert "If the address you entered belongs to an account" in page
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [user.email]

    def test_it_resets_with_the_link_once_and_ends_every_session(self, client, user):
        signed_in = Client()
        sign_in(signed_in, user.email)
        client.post(self.URL, {"email": user.email})
        link = re.search(r"http://testserver(/accounts/password_reset/\S+/)", mail.outbox[0].body)[
            1
        ]
        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200
        post_url = form_page.redirect_chain[-1][0]
        done = client.post(post_url, {"new_password1": NEW, "new_password2": NEW})
        assert done["Location"] == "/accounts/password_reset/complete/"
        user.refresh_from_db()
        assert user.check_password(NEW)
        assert signed_in.get("/accounts/settings/").status_code == 302
        assert "password_reset" in actions(actor=user)
        again = client.get(link, follow=True)
        assert "This link no longer works" in again.content.decode()

    def test_it_rate_limits_requests_per_ip(self, client, user, settings):
        settings.PASSWORD_RESET_RATE = "3/h"
        for _ in range(3):
            assert client.post(self.URL, {"email": user.email}).status_code == 302
        assert client.post(self.URL, {"email": user.email}).status_code == 429
        assert len(mail.outbox) == 3

    @pytest.mark.parametrize("email", ["", "not-an-address", "a" * 10_000, "a\x00@example.com"])
    def test_it_answers_bad_input_with_field_errors(self, client, email):
        response = client.post(self.URL, {"email": email})
        assert response.status_code == 200
        assert response.context["form"].errors["email"]
        assert mail.outbox == []
