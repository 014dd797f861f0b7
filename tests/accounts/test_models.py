import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_uses_the_email_as_the_sign_in_identifier(rf):
    user = UserFactory(email="Salma@Example.COM")
    assert get_user_model().USERNAME_FIELD == "email"
    assert user.email == "salma@example.com"  # one spelling: accounts/emails.py
    assert not hasattr(user, "username") or user.username is None
    found = authenticate(
        rf.get("/"), username="salma@example.com", password="a long test passphrase"
    )
    assert found == user


def test_it_refuses_the_same_address_in_another_case():
    UserFactory(email="amina@example.com")
    with pytest.raises(IntegrityError):
        UserFactory(email="AMINA@example.com")


def test_it_requires_an_email():
    with pytest.raises(ValueError, match="e-mail address is required"):
        get_user_model().objects.create_user(email="", password="x")


def test_it_creates_superusers_with_staff_rights():
    admin = get_user_model().objects.create_superuser("root@example.com", "a long passphrase")
    assert admin.is_staff
    assert admin.is_superuser
    assert str(admin) == "root@example.com"
    with pytest.raises(ValueError, match="is_staff"):
        get_user_model().objects.create_superuser("x@example.com", "pw", is_staff=False)


def test_it_lets_staff_add_users_in_admin(staff_client):
    client = staff_client
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_user_model().objects.filter(email="new@example.com").exists()
    assert client.get("/admin/accounts/user/").status_code == 200
