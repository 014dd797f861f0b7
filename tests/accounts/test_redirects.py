"""`?next=` after signing in or up: same-site paths only; anything else goes home, never a 500."""

import pytest
from django.test import Client
from django.utils.encoding import iri_to_uri

from accounts.models import User
from tests.accounts.helpers import PASSWORD, code_for, sign_in
from tests.conftest import verify_second_factor

pytestmark = pytest.mark.django_db

HOSTILE = [
    "journal",
    "abc def",
    "nul",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http://testserver.evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "/" + "a" * 5000,
    "/journal/\x00",
    "/journal/\r\nSet-Cookie: x=1",
    "/journal/\t",
    "\x01/journal/",
    "/ /evil.example",
    "/journal/\u200b",
    "",
]
SAME_SITE = ["/names/", "/journal/?q=x&page=2", "/no/such/page/", "/names/الرحمن/"]


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_in_goes_home_for_anything_but_a_same_site_path(client, user, next_url):
    by_query = client.post(
        "/accounts/login/",
        {"username": user.email, "password": PASSWORD},
        query_params={"next": next_url},
    )
    assert by_query.status_code == 302
    assert by_query["Location"] == "/"
    client.post("/accounts/logout/")
    by_form = sign_in(client, user.email, next=next_url)
    assert by_form["Location"] == "/"


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_up_goes_home_and_leaves_the_person_signed_in(client, next_url, no_rate_limits):
    data = {"email": "noor@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post("/accounts/signup/", {**data, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="noor@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("next_url", SAME_SITE)
def test_it_follows_a_same_site_path(client, user, next_url, no_rate_limits):
    expected = iri_to_uri(next_url)
    assert sign_in(client, user.email, next=next_url)["Location"] == expected
    client.post("/accounts/logout/")
    data = {"email": "noor@example.com", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/accounts/signup/", {**data, "next": next_url})["Location"] == expected


@pytest.mark.parametrize("next_url", ["journal", "//evil.example", "/names/"])
def test_the_second_step_goes_to_the_same_place(client, user, next_url):
    device = verify_second_factor(Client(), user)
    sign_in(client, user.email, next=next_url)
    response = client.post("/accounts/login/verify/", {"token": code_for(device)})
    assert response["Location"] == ("/names/" if next_url == "/names/" else "/")


def test_a_bare_word_on_the_sign_up_page_is_not_echoed_as_a_destination(client):
    page = client.get("/accounts/signup/?next=//evil.example").content.decode()
    assert "evil.example" not in page
