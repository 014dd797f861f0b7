"""Personal tokens in settings: made with the current password and shown once, kept only as a
digest, listed, revoked; each step audited; never another person's."""

import pytest

from accounts import personal_tokens
from accounts.models import AuditEvent, PersonalToken
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/accounts/settings/tokens/"


def make(client, name="laptop", password=PASSWORD):
    return client.post(URL, {"name": name, "current_password": password})


def test_the_settings_link_to_the_tokens(signed_in):
    assert f'href="{URL}"' in signed_in.get("/accounts/settings/").content.decode()


def test_a_token_is_shown_once_and_kept_only_as_its_digest(signed_in, user):
    response = make(signed_in)
    assert response.status_code == 200
    html = response.content.decode()
    token = PersonalToken.objects.get(user=user)
    secret = html.split('id="new-token" class="token-new__value" type="text" value="')[1].split(
        '"'
    )[0]
    assert secret.startswith("ays_")
    assert len(secret) > 40
    assert token.digest == personal_tokens.digest(secret)
    assert secret not in repr(list(PersonalToken.objects.values()))
    assert token.prefix == secret[:10]
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    again = signed_in.get(URL).content.decode()
    assert secret not in again  # never shown again
    assert f"{token.prefix}…" in again
    event = AuditEvent.objects.get(action="token_created")
    assert secret not in repr(event.metadata)


def test_making_a_token_needs_the_current_password(signed_in, user):
    response = make(signed_in, password="not it")
    assert response.status_code == 200
    assert "ays_" not in response.content.decode().split("<h2>Your tokens</h2>")[0]
    assert not PersonalToken.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "\u202eevil", "a\x00b"])
def test_a_token_needs_a_plain_name(signed_in, name):
    assert make(signed_in, name=name).status_code == 200
    assert not PersonalToken.objects.exists()


def test_at_most_ten_active_tokens(signed_in, user):
    for n in range(personal_tokens.ACTIVE_MAX):
        personal_tokens.make(user, f"t{n}")
    response = make(signed_in)
    assert "revoke one you no longer use first" in response.content.decode()
    assert PersonalToken.objects.count() == personal_tokens.ACTIVE_MAX


def test_a_token_is_revoked_and_no_longer_works(signed_in, user):
    token, secret = personal_tokens.make(user, "laptop")
    assert personal_tokens.authenticate(secret, "import")[0] == token
    response = signed_in.post(f"{URL}{token.pk}/revoke/")
    assert response["Location"] == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert personal_tokens.authenticate(secret, "import") == (None, "revoked")
    assert AuditEvent.objects.filter(action="token_revoked").count() == 1
    signed_in.post(f"{URL}{token.pk}/revoke/")  # twice: once audited
    assert AuditEvent.objects.filter(action="token_revoked").count() == 1
    assert "revoked" in signed_in.get(URL).content.decode()


def test_another_persons_token_cannot_be_revoked(signed_in, other_user):
    token, _ = personal_tokens.make(other_user, "theirs")
    assert signed_in.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in signed_in.get(URL).content.decode()


def test_visitors_and_wrong_methods(client, signed_in, user):
    from django.test import Client

    visitor = Client()
    assert visitor.get(URL)["Location"].startswith("/accounts/login/")
    assert visitor.post(URL, {"name": "x"})["Location"].startswith("/accounts/login/")
    token, _ = personal_tokens.make(user, "laptop")
    assert visitor.post(f"{URL}{token.pk}/revoke/").status_code == 302
    assert signed_in.get(f"{URL}{token.pk}/revoke/").status_code == 405
    assert signed_in.put(URL).status_code == 405


@pytest.mark.parametrize("secret", ["", "ays_", "nope", "ays_" + "x" * 200, "ays_\x00"])
def test_unknown_secrets_are_refused(user, secret):
    personal_tokens.make(user, "laptop")
    assert personal_tokens.authenticate(secret, "import") == (None, "unknown")


def test_a_token_of_an_inactive_person_is_refused(user):
    _, secret = personal_tokens.make(user, "laptop")
    user.is_active = False
    user.save()
    assert personal_tokens.authenticate(secret, "import") == (None, "inactive")


def test_tokens_go_with_the_account(user):
    personal_tokens.make(user, "laptop")
    user.delete()
    assert not PersonalToken.objects.exists()
