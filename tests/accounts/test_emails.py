"""One spelling per address: every variant is one account with one failure counter."""

import pytest
from axes.models import AccessAttempt
from django.core import mail

from accounts.emails import normalize_email
from accounts.models import User
from tests.accounts.helpers import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WRONG = "not the password at all"


def wide(text: str) -> str:
    """Full-width letters and digits (Ｎｏｏｒ), as some keyboards type them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.mark.parametrize(
    "spelling",
    [
        "noor@example.com",
        "Noor@Example.COM",
        "NOOR@EXAMPLE.COM",
        " noor@example.com ",
        "noor@example.com\u3000",  # an ideographic space
        "\u00a0noor@example.com",  # a no-break space
        wide("noor@example.com"),
        wide("NOOR") + "@example.com",
    ],
)
def test_it_gives_every_spelling_one_form(spelling):
    assert normalize_email(spelling) == "noor@example.com"
    assert normalize_email(normalize_email(spelling)) == "noor@example.com"


VARIANTS = [
    "a@example.com",
    "A@EXAMPLE.COM",
    "a@Example.com",
    "A@example.COM",
    wide("a@example.com"),
]


@pytest.fixture
def account(db):
    return UserFactory(email="a@example.com")


def test_five_failures_in_one_spelling_lock_out_every_other_spelling(client, account):
    for _ in range(4):
        assert sign_in(client, "a@example.com", WRONG).status_code == 200
    assert sign_in(client, "a@example.com", WRONG).status_code == 429
    for spelling in [*VARIANTS[1:], " a@example.com "]:
        right = sign_in(client, spelling)  # the right password, another spelling
        assert right.status_code == 429, spelling
        assert "_auth_user_id" not in client.session


def test_guesses_spread_over_five_capitalisations_lock_the_account(client, account):
    statuses = [sign_in(client, VARIANTS[n % 5], WRONG).status_code for n in range(20)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    assert AccessAttempt.objects.get().username == "a@example.com"
    assert sign_in(client, "a@example.com").status_code == 429


def test_a_successful_sign_in_in_any_spelling_clears_the_one_counter(client, account):
    sign_in(client, "A@EXAMPLE.COM", WRONG)
    sign_in(client, wide("a@example.com"), WRONG)
    assert AccessAttempt.objects.get().failures_since_start == 2
    assert sign_in(client, " a@Example.com ").status_code == 302
    assert not AccessAttempt.objects.exists()


def test_it_signs_up_a_unicode_variant_as_the_plain_address_and_refuses_it_again(
    client, no_rate_limits
):
    data = {"password1": PASSWORD, "password2": PASSWORD}
    response = client.post("/accounts/signup/", {"email": wide("Noor") + "@example.com ", **data})
    assert response.status_code == 302
    assert User.objects.get().email == "noor@example.com"
    client.post("/accounts/logout/")
    for spelling in ("NOOR@example.com", "noor@example.com\u3000", wide("noor@example.com")):
        again = client.post("/accounts/signup/", {"email": spelling, **data})
        assert "already exists" in str(again.context["form"].errors["email"]), spelling
        assert sign_in(client, spelling).status_code == 302
        client.post("/accounts/logout/")
    assert User.objects.count() == 1


@pytest.mark.parametrize("spelling", ["A@EXAMPLE.COM", " a@example.com", wide("a@example.com")])
def test_it_sends_a_reset_link_for_any_spelling(client, account, spelling, no_rate_limits):
    assert client.post("/accounts/password_reset/", {"email": spelling}).status_code == 302
    [message] = mail.outbox
    assert message.to == ["a@example.com"]


def test_the_admin_stores_one_spelling(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {"email": " " + wide("Curator") + "@Example.COM", "usable_password": "false"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="curator@example.com").exists()
    taken = staff_client.post(
        "/admin/accounts/user/add/", {"email": "CURATOR@example.com", "usable_password": "false"}
    )
    assert taken.status_code == 200
    assert User.objects.filter(email__iexact="curator@example.com").count() == 1


def test_any_other_path_stores_one_spelling_too():
    user = User.objects.create_user(" Mixed@Example.COM ", PASSWORD)
    assert user.email == "mixed@example.com"
    user.email = wide("Other") + "@example.com"
    user.save()
    assert User.objects.get(pk=user.pk).email == "other@example.com"


def test_axes_reads_one_spelling_from_the_credentials_or_the_posted_form(rf):
    from axes.helpers import get_client_username

    posted = rf.post("/accounts/login/", {"username": " A@Example.COM"})
    assert get_client_username(posted) == "a@example.com"
    assert get_client_username(posted, {"username": wide("A@example.com")}) == "a@example.com"
    assert get_client_username(rf.post("/", {})) is None


def test_the_sign_in_form_hands_authenticate_one_spelling(rf, account, monkeypatch):
    from accounts import forms

    seen = []
    monkeypatch.setattr(
        "django.contrib.auth.forms.authenticate",
        lambda request, **credentials: seen.append(credentials["username"]),
    )
    form = forms.LoginForm(rf.post("/"), data={"username": " A@EXAMPLE.com", "password": WRONG})
    form.is_valid()
    assert seen == ["a@example.com"]
