import datetime

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import PASSWORD, actions, code_for, sign_in
from tests.conftest import verify_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_a_server_drawn_svg_qr_code_and_the_key(signed_in, user):
    response = signed_in.get("/accounts/two_factor/setup/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert "<img" not in html
    assert " style=" not in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The same pending secret on a reload, so a scanned code keeps working.
    assert (
        signed_in.get("/accounts/two_factor/setup/").context["secret"]
        == (response.context["secret"])
    )
    assert device.user == user


def test_it_turns_on_with_one_code_and_the_password_and_shows_backup_codes_once(signed_in, user):
    signed_in.get("/accounts/two_factor/setup/")
    device = TOTPDevice.objects.get(user=user)
    response = signed_in.post(
        "/accounts/two_factor/setup/",
        {"token": code_for(device), "current_password": PASSWORD},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert "2fa_enabled" in actions(actor=user)
    overview = signed_in.get("/accounts/two_factor/").content.decode()
    assert codes[0] not in overview
    assert "10 backup codes left" in overview
    # Turning it off asks for a code as well as the password, in fields of its own.
    assert 'id="id_disable_token"' in overview
    assert 'id="id_disable_current_password"' in overview


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"token": "000000", "current_password": PASSWORD}, "token"),
        ({"token": "", "current_password": PASSWORD}, "token"),
        ({"token": "1" * 10_000, "current_password": PASSWORD}, "token"),
        ({"token": "123456", "current_password": "wrong"}, "current_password"),
        ({"token": "123456", "current_password": ""}, "current_password"),
    ],
)
def test_it_refuses_a_wrong_code_or_password(signed_in, user, data, field):
    response = signed_in.post("/accounts/two_factor/setup/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


DISABLE = "/accounts/two_factor/disable/"


def test_it_turns_off_with_the_password_and_a_code_and_says_so_by_mail(signed_in, user, mailoutbox):
    device = verify_second_factor(signed_in, user)
    for data in ({"current_password": PASSWORD}, {"current_password": "wrong", "token": "1"}):
        refused = signed_in.post(DISABLE, data)
        assert refused.status_code == 302
        assert TOTPDevice.objects.filter(user=user).exists()
    signed_in.post(DISABLE, {"current_password": PASSWORD, "token": code_for(device)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert "2fa_disabled" in actions(actor=user)
    [notice] = mailoutbox
    assert notice.to == [user.email]
    assert "Two-factor authentication was turned off" in notice.subject
    assert "/accounts/password_reset/" in notice.body


@pytest.mark.parametrize("token", ["000000", "12345", "abcd2346", "<b>1</b>", "x" * 10_000, ""])
def test_it_stays_on_without_a_right_code(signed_in, user, token, mailoutbox):
    verify_second_factor(signed_in, user)
    StaticDevice.objects.create(user=user, name="Backup codes").token_set.create(token="abcd2345")
    response = signed_in.post(DISABLE, {"current_password": PASSWORD, "token": token}, follow=True)
    assert "Two-factor authentication is still on" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "spelling",
    ["abcd2345", "ABCD2345", "abcd 2345", "ABCD-2345", " a-b c-d 2345 ", "ａｂｃｄ２３４５"],
)
def test_it_turns_off_with_a_backup_code_written_any_way(signed_in, user, spelling):
    verify_second_factor(signed_in, user)
    StaticDevice.objects.create(user=user, name="Backup codes").token_set.create(token="abcd2345")
    signed_in.post(DISABLE, {"current_password": PASSWORD, "token": spelling})
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_it_does_not_spend_a_backup_code_when_the_password_is_wrong(signed_in, user):
    verify_second_factor(signed_in, user)
    static = StaticDevice.objects.create(user=user, name="Backup codes")
    static.token_set.create(token="abcd2345")
    signed_in.post(DISABLE, {"current_password": "wrong", "token": "abcd2345"})
    assert static.token_set.filter(token="abcd2345").exists()


def test_it_makes_new_backup_codes_with_the_password(signed_in, user):
    verify_second_factor(signed_in, user)
    response = signed_in.post("/accounts/two_factor/backup_codes/", {"current_password": PASSWORD})
    assert len(response.context["codes"]) == 10
    assert "backup_codes" in actions(actor=user)


@pytest.mark.parametrize(
    "url",
    ["/accounts/two_factor/", "/accounts/two_factor/setup/"],
)
def test_it_needs_sign_in(client, url):
    assert client.get(url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["/accounts/two_factor/disable/", "/accounts/two_factor/backup_codes/"]
)
def test_it_refuses_get_on_changes(signed_in, url):
    assert signed_in.get(url).status_code == 405


class TestAdminGate:
    def test_it_lets_verified_staff_in(self, staff_client):
        assert staff_client.get("/admin/").status_code == 200

    def test_it_sends_staff_without_a_second_factor_to_set_one_up(self, client):
        staff = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(staff)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert client.get(response["Location"])["Location"] == "/accounts/two_factor/"

    def test_it_refuses_staff_with_a_device_who_skipped_the_code(self, client):
        staff = UserFactory(is_staff=True)
        TOTPDevice.objects.create(user=staff, confirmed=True)
        client.force_login(staff)  # password only: not verified in this session
        assert client.get("/admin/meditation/").status_code == 302

    def test_it_refuses_non_staff(self, client, user):
        verify_second_factor(client, user)
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")

    def test_it_sends_visitors_to_the_site_sign_in(self, client):
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")

    def test_it_admits_staff_after_the_two_step_sign_in(self, client):
        staff = UserFactory(is_staff=True, is_superuser=True)
        device = verify_second_factor(Client(), staff)
        sign_in(client, staff.email)
        client.post("/accounts/login/verify/", {"token": code_for(device)})
        assert client.get("/admin/").status_code == 200


def test_wrong_codes_to_turn_it_off_lock_the_code_check(signed_in, user, clock):
    device = verify_second_factor(signed_in, user)
    for _ in range(5):
        clock.advance(datetime.timedelta(minutes=1))  # past django-otp's back-off
        signed_in.post(DISABLE, {"current_password": PASSWORD, "token": "000000"})
    clock.advance(datetime.timedelta(minutes=1))
    response = signed_in.post(
        DISABLE, {"current_password": PASSWORD, "token": code_for(device)}, follow=True
    )
    assert "Too many wrong codes for this account" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert actions(actor=user, action="verify_lockout") == ["verify_lockout"]
