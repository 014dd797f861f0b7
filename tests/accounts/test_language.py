"""A person's language (issue 17): chosen in settings, kept from sign-up, where sign-in lands,
and the language of their e-mails and the links in them. Through the real URLs."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def subject(name: str, language: str) -> str:
    with translation.override(language):
        return "".join(render_to_string(f"accounts/{name}_subject.txt", {}).splitlines())


def settings_form(user: User, **changes) -> dict:
    data = {"display_name": user.display_name, "time_zone": user.time_zone,
            "default_session_minutes": user.default_session_minutes,
            "dhikr_target": user.dhikr_target, "language": user.language, "theme": user.theme,
            "show_streaks": "on" if user.show_streaks else ""}  # fmt: skip
    return data | changes


class TestSettings:
    def test_the_settings_page_offers_each_language_in_its_own_words(self, signed_in):
        body = signed_in.get("/accounts/settings/").content.decode()
        assert '<option value="tr">Türkçe</option>' in body
        assert '<option value="ar">العربية</option>' in body
        assert '<option value="en" selected>English</option>' in body

    def test_choosing_turkish_saves_it_and_goes_on_in_turkish(self, signed_in, user):
        response = signed_in.post("/accounts/settings/", settings_form(user, language="tr"))
        assert response.status_code == 302
        assert response["Location"] == "/tr/accounts/settings/"
        assert response.cookies[COOKIE].value == "tr"
        user.refresh_from_db()
        assert user.language == "tr"
        page = signed_in.get(response["Location"]).content.decode()
        with translation.override("tr"):
            saved = translation.gettext("Your settings are saved.")
        assert saved != "Your settings are saved."
        assert saved in page

    @pytest.mark.parametrize("value", ["de", "TR", "", "tr\x00", "<b>", "x" * 50])
    def test_a_language_we_do_not_have_is_refused(self, signed_in, user, value):
        response = signed_in.post("/accounts/settings/", settings_form(user, language=value))
        assert response.status_code == 200
        assert "language" in response.context["form"].errors
        user.refresh_from_db()
        assert user.language == "en"


class TestSignUpAndSignIn:
    def test_signing_up_on_an_arabic_page_keeps_arabic(self, client):
        response = client.post("/ar/accounts/signup/", {
            "email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD,
        })  # fmt: skip
        assert response.status_code == 302
        assert User.objects.get(email="new@example.org").language == "ar"

    def test_signing_in_without_a_destination_lands_home_in_their_language(self, client, user):
        User.objects.filter(pk=user.pk).update(language="tr")
        response = sign_in(client, user.email)
        assert response["Location"] == "/tr/"
        assert response.cookies[COOKIE].value == "tr"

    def test_a_destination_is_kept_as_it_is(self, client, user):
        User.objects.filter(pk=user.pk).update(language="ar")
        assert sign_in(client, user.email, next="/journal/")["Location"] == "/journal/"


class TestMails:
    def test_a_password_change_notice_is_in_their_language(self, signed_in, user):
        User.objects.filter(pk=user.pk).update(language="tr")
        response = signed_in.post("/accounts/password_change/", {
            "old_password": PASSWORD, "new_password1": "another long passphrase 42",
            "new_password2": "another long passphrase 42",
        })  # fmt: skip
        assert response.status_code == 302
        [notice] = mail.outbox
        assert notice.subject == subject("password_changed", "tr")
        assert notice.subject != subject("password_changed", "en")
        assert "http://testserver/tr/accounts/password_reset/" in notice.body

    def test_a_reset_mail_follows_the_accounts_language_not_the_pages(self, client, user):
        User.objects.filter(pk=user.pk).update(language="ar")
        client.post("/accounts/password_reset/", {"email": user.email})
        [reset] = mail.outbox
        assert reset.subject == subject("password_reset", "ar")
        assert re.search(r"http://testserver/ar/accounts/password_reset/\S+/", reset.body)

    def test_an_english_account_gets_english_mail_from_any_page(self, client, user):
        client.post("/tr/accounts/password_reset/", {"email": user.email})
        [reset] = mail.outbox
        assert reset.subject == subject("password_reset", "en")
        assert "/tr/" not in reset.body
