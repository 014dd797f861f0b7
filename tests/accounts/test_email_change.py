"""Changing the address: a link to the new one, followed signed in; notices to the old one."""

import re
from urllib.parse import unquote

import pytest
from django.core import signing
from django.test import Client

from accounts import email_change
from accounts.models import User
from tests.accounts.helpers import PASSWORD, actions, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/accounts/settings/email/"
LINK = re.compile(r"http://testserver(/accounts/settings/email/confirm/[^/\s]+/)")


def ask(client, email="new@example.com", password=PASSWORD):
    return client.post(URL, {"email": email, "current_password": password})


def link_in(message) -> str:
    return LINK.search(message.body)[1]


def test_it_sends_a_link_to_the_new_address_and_a_notice_to_the_old_and_changes_nothing_yet(
    signed_in, user, mailoutbox
):
    old = user.email
    response = ask(signed_in)
    assert response["Location"] == "/accounts/settings/"
    assert User.objects.get(pk=user.pk).email == old
    confirm, notice = mailoutbox
    assert confirm.to == ["new@example.com"]
    assert link_in(confirm)
    assert notice.to == [old]
    assert "new@example.com" in notice.body
    assert "/accounts/settings/email/confirm/" not in notice.body  # the link goes to the new one
    assert PASSWORD not in confirm.body + notice.body
    assert actions(actor=user, action="email_change_requested") == ["email_change_requested"]
    page = signed_in.get("/accounts/settings/").content.decode()
    assert "We sent a link to new@example.com" in page


def test_it_changes_when_the_link_is_followed_signed_in_and_tells_the_old_address(
    signed_in, user, mailoutbox
):
    old = user.email
    ask(signed_in)
    link = link_in(mailoutbox[0])
    page = signed_in.get(link)  # mail scanners follow links: a GET only asks
    assert page.status_code == 200
    assert "new@example.com" in page.content.decode()
    assert User.objects.get(pk=user.pk).email == old
    response = signed_in.post(link)
    assert response["Location"] == "/accounts/settings/"
    assert User.objects.get(pk=user.pk).email == "new@example.com"
    assert "email_changed" in actions(actor=user)
    changed = mailoutbox[-1]
    assert changed.to == [old]
    assert "is now new@example.com" in changed.body
    # Signing in now takes the new address only.
    fresh = Client()
    assert sign_in(fresh, old).status_code == 200
    assert sign_in(fresh, "NEW@example.com").status_code == 302


def test_it_works_once(signed_in, user, mailoutbox):
    ask(signed_in)
    link = link_in(mailoutbox[0])
    signed_in.post(link)
    again = signed_in.post(link)
    assert "This link no longer works" in again.content.decode()


def test_it_asks_a_signed_out_person_to_sign_in_and_then_comes_back(client, user, mailoutbox):
    signed = Client()
    signed.force_login(user)
    ask(signed)
    link = link_in(mailoutbox[0])
    response = client.get(link)
    assert unquote(response["Location"]) == f"/accounts/login/?next={link}"
    back = client.post(
        "/accounts/login/", {"username": user.email, "password": PASSWORD, "next": link}
    )
    assert back["Location"] == link
    client.post(link)
    assert User.objects.get(pk=user.pk).email == "new@example.com"


def test_it_refuses_a_link_made_for_another_account(client, user, other_user, mailoutbox):
    theirs = Client()
    theirs.force_login(other_user)
    ask(theirs, "theirs@example.com")
    client.force_login(user)
    response = client.post(link_in(mailoutbox[0]))
    assert "This link no longer works" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email
    assert User.objects.get(pk=other_user.pk).email == other_user.email


def test_it_refuses_an_expired_link(signed_in, user, settings):
    token = email_change.make_token(user, "new@example.com")
    settings.EMAIL_CHANGE_TIMEOUT = -1
    response = signed_in.post(f"/accounts/settings/email/confirm/{token}/")
    assert "This link no longer works" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email


def test_a_password_change_cancels_a_link_not_yet_followed(signed_in, user, mailoutbox):
    ask(signed_in)
    link = link_in(mailoutbox[0])
    new = "a different long passphrase"
    signed_in.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    response = signed_in.post(link)
    assert "This link no longer works" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email


@pytest.mark.parametrize(
    "token",
    ["x", "a" * 5000, "not:a:token", signing.dumps({"u": 1, "e": "x@example.com"})],
)
def test_it_refuses_a_forged_or_malformed_link(signed_in, user, token):
    response = signed_in.post(f"/accounts/settings/email/confirm/{token}/")
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email


def test_it_refuses_a_forged_payload_signed_with_another_salt(signed_in, user):
    token = signing.TimestampSigner(salt="other").sign_object({"u": user.pk, "e": "x@example.com"})
    response = signed_in.post(f"/accounts/settings/email/confirm/{token}/")
    assert "This link no longer works" in response.content.decode()


def test_it_keeps_the_address_if_another_account_took_the_new_one_meanwhile(
    signed_in, user, mailoutbox
):
    ask(signed_in, "wanted@example.com")
    link = link_in(mailoutbox[0])
    UserFactory(email="Wanted@Example.com")
    for method in (signed_in.get, signed_in.post):
        response = method(link)
        assert response.status_code == 409
        assert "Another account now uses this address" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email


def test_it_says_so_when_the_mail_cannot_be_sent(signed_in, user, monkeypatch, mailoutbox):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("accounts.mail.send_mail", refuse)
    response = ask(signed_in)
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()
    assert actions(actor=user, action="email_change_requested") == []


def test_it_refuses_other_methods(signed_in, user):
    token = email_change.make_token(user, "new@example.com")
    assert signed_in.put(f"/accounts/settings/email/confirm/{token}/").status_code == 405
    assert signed_in.put(URL).status_code == 405


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("new@example.com", "wrong", "current_password"),
        ("new@example.com", "", "current_password"),
        ("not-an-address", PASSWORD, "email"),
        ("", PASSWORD, "email"),
        ("a" * 10_000, PASSWORD, "email"),
        ("a\x00b@example.com", PASSWORD, "email"),
    ],
)
def test_it_refuses_bad_input(signed_in, user, email, password, field, mailoutbox):
    response = ask(signed_in, email, password)
    assert response.context["form"].errors[field]
    assert User.objects.get(pk=user.pk).email == user.email
    assert mailoutbox == []


@pytest.mark.parametrize("spelling", ["{}", "{upper}", " {} ", "{wide}"])
def test_it_refuses_the_current_address_or_another_accounts_in_any_spelling(
    signed_in, user, other_user, spelling, mailoutbox
):
    for taken, message in ((other_user.email, "already exists"), (user.email, "already your")):
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in taken)
        typed = spelling.format(taken, upper=taken.upper(), wide=wide)
        response = ask(signed_in, typed)
        assert message in str(response.context["form"].errors["email"]), typed
    assert mailoutbox == []
