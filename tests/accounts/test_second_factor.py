"""Second-factor codes at sign-in: limited per account and per IP across sign-ins, with
django-otp's own back-off on the device; the right code refused while locked."""

import datetime

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import FailedCheck
from tests.accounts.helpers import actions, code_for, sign_in
from tests.conftest import verify_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
VERIFY = "/accounts/login/verify/"
MINUTE = datetime.timedelta(minutes=1)


def enter(client, token, **extra):
    return client.post(VERIFY, {"token": token}, **extra)


@pytest.fixture
def device(user):
    return verify_second_factor(Client(), user)


def test_wrong_codes_across_sign_ins_lock_the_account_and_the_right_code_is_refused(
    client, user, device, clock
):
    statuses = []
    for _ in range(4):
        sign_in(client, user.email)
        for _ in range(5):
            clock.advance(MINUTE)  # past django-otp's back-off, as a patient attacker waits
            statuses.append(enter(client, "000000").status_code)
    assert statuses[:4] == [200] * 4
    assert statuses[4] == 429  # the fifth wrong code locks
    sign_in(client, user.email)
    right = enter(client, code_for(device))
    assert right.status_code == 429
    assert "Too many wrong codes for this account" in right.content.decode()
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 5  # django-otp counted each checked code
    failures = actions(target_id=str(user.pk), action="login_failed")
    assert failures == ["login_failed"] * 5
    assert actions(action="verify_lockout") == ["verify_lockout"]


def test_the_lock_follows_the_account_to_another_address(client, user, device, clock):
    for n in range(5):
        address = {"REMOTE_ADDR": f"10.0.0.{n}"}
        sign_in(client, user.email, **address)
        clock.advance(MINUTE)
        enter(client, "000000", **address)
    other = {"REMOTE_ADDR": "10.9.9.9"}
    sign_in(client, user.email, **other)
    assert enter(client, code_for(device), **other).status_code == 429


def test_the_lock_holds_for_an_address_across_accounts(clock, settings):
    settings.VERIFY_IP_FAILURE_LIMIT = 3
    for _ in range(3):
        someone = UserFactory()
        verify_second_factor(Client(), someone)
        browser = Client()
        sign_in(browser, someone.email)
        clock.advance(MINUTE)
        enter(browser, "000000")
    fourth = UserFactory()
    device = verify_second_factor(Client(), fourth)
    browser = Client()
    sign_in(browser, fourth.email)
    refused = enter(browser, code_for(device))
    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    elsewhere = Client()
    sign_in(elsewhere, fourth.email, REMOTE_ADDR="10.1.1.1")
    assert enter(elsewhere, code_for(device), REMOTE_ADDR="10.1.1.1").status_code == 302


@pytest.mark.parametrize(("seconds", "status"), [(-1, 429), (+1, 302)])
def test_the_lock_lifts_after_the_window(client, user, device, clock, settings, seconds, status):
    for _ in range(5):
        sign_in(client, user.email)
        clock.advance(MINUTE)
        enter(client, "000000")
    # Locked until the window has passed since the first of the five (four minutes ago).
    window = datetime.timedelta(minutes=settings.VERIFY_LOCKOUT_MINUTES)
    clock.advance(window - 4 * MINUTE + datetime.timedelta(seconds=seconds))
    sign_in(client, user.email)
    assert enter(client, code_for(device)).status_code == status


def test_the_device_backs_off_between_wrong_codes(client, user, device, clock):
    sign_in(client, user.email)
    assert enter(client, "000000").status_code == 200
    hurried = enter(client, code_for(device))  # within django-otp's 1-second back-off
    assert "wait 1 seconds" in hurried.content.decode()
    assert FailedCheck.objects.count() == 1  # nothing was checked, so nothing counted
    clock.advance(datetime.timedelta(seconds=2))
    assert enter(client, code_for(device)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert not FailedCheck.objects.exists()  # the right code clears the account's failures


@pytest.mark.parametrize(
    "spelling",
    ["abcd2345", "ABCD2345", "abcd 2345", "ABCD-2345", "ab-cd 23-45", "ａｂｃｄ２３４５"],
)
def test_it_accepts_a_backup_code_in_any_case_with_spaces_or_dashes(client, user, device, spelling):
    StaticDevice.objects.create(user=user, name="Backup codes").token_set.create(token="abcd2345")
    sign_in(client, user.email)
    assert enter(client, spelling).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_backup_code_counts_against_the_backup_codes_only(client, user, device):
    static = StaticDevice.objects.create(user=user, name="Backup codes")
    static.token_set.create(token="abcd2345")
    sign_in(client, user.email)
    enter(client, "wxyz-2345")
    static.refresh_from_db()
    device.refresh_from_db()
    assert (static.throttling_failure_count, device.throttling_failure_count) == (1, 0)
