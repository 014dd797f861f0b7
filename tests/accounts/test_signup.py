import pytest
from django.core.cache import cache

from accounts.models import User
from aysekai_site import settings as production_settings
from tests.accounts.helpers import PASSWORD, actions

pytestmark = pytest.mark.django_db
URL = "/accounts/signup/"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def form(**overrides):
    return {"email": "noor@example.com", "password1": PASSWORD, "password2": PASSWORD} | overrides


def test_it_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert '<label for="id_email">' in response.content.decode()


def test_it_creates_the_account_signs_in_and_audits(client, settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS  # Argon2, as deployed
    response = client.post(URL, form())
    assert response.status_code == 302
    user = User.objects.get(email="noor@example.com")
    assert user.password.startswith("argon2")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert actions(actor=user) == ["login", "signup"]


def test_it_accepts_a_long_passphrase(client):
    passphrase = "the quiet river carries the moon home " * 4  # 152 characters
    assert client.post(URL, form(password1=passphrase, password2=passphrase)).status_code == 302
    assert User.objects.get(email="noor@example.com").check_password(passphrase)


def test_it_redirects_a_signed_in_user(client, user):
    client.force_login(user)
    assert client.get(URL).status_code == 302


def test_it_goes_to_a_safe_next_url_only(client):
    assert client.post(URL + "?next=/names/", form())["Location"] == "/names/"
    client.logout()
    evil = client.post(URL + "?next=https://evil.example/", form(email="b@example.com"))
    assert evil["Location"] == "/"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"email": "a" * 10_000 + "@example.com"}, "email", "at most 254 characters"),
        ({"email": "a\x00b@example.com"}, "email", "Null characters are not allowed"),
        ({"password1": "", "password2": ""}, "password1", "This field is required"),
        ({"password2": "something else entirely"}, "password2", "do not match"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "numeric"),
        ({"password1": "password1234", "password2": "password1234"}, "password1", "too common"),
        ({"password1": "x" * 10_000, "password2": "x" * 10_000}, "password1", "at most 1024"),
        ({"password1": "pass\x00phrase long", "password2": "pass\x00phrase long"}, "password1",
         "Null characters"),
    ],
)  # fmt: skip
def test_it_answers_bad_input_with_field_errors(client, overrides, field, message):
    response = client.post(URL, form(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not User.objects.filter(email="noor@example.com").exists()


def test_it_refuses_an_address_already_taken_in_any_case(client, user):
    response = client.post(URL, form(email=user.email.upper()))
    assert "already exists" in str(response.context["form"].errors["email"])


def test_it_refuses_a_password_like_the_address(client):
    response = client.post(URL, form(email="quietriver@example.com", password1="quietriver",
                                      password2="quietriver"))  # fmt: skip
    assert "too similar" in str(response.context["form"].errors["password1"])


def test_it_rate_limits_sign_ups_per_ip(client, settings):
    settings.SIGNUP_RATE = "2/h"
    for n in range(2):
        client.post(URL, form(email=f"n{n}@example.com"))
        client.logout()
    response = client.post(URL, form(email="third@example.com"))
    assert response.status_code == 429
    assert not User.objects.filter(email="third@example.com").exists()
    # Another address is not held back.
    assert client.post(URL, form(email="x@example.com"), REMOTE_ADDR="10.9.9.9").status_code == 302


def test_it_refuses_other_methods(client):
    assert client.put(URL).status_code == 405
