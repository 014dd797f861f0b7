"""Wrong current passwords: limited per account and per IP, audited; the right one refused
while locked. (Second-factor codes: test_second_factor.py.)"""

import datetime
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import FailedCheck, User
from tests.accounts.helpers import PASSWORD, actions, code_for
from tests.conftest import verify_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WRONG = "not my password, a guess"
NEW = "a different long passphrase"


@dataclass(frozen=True)
class Change:
    """A change that asks for the current password: how to ask, and whether it happened."""

    url: str
    field: str
    data: dict[str, Any]
    two_factor: bool = False

    def post(self, client, password, **extra):
        return client.post(self.url, {**self.data, self.field: password}, **extra)


CHANGES = {
    "e-mail": Change("/accounts/settings/email/", "current_password", {"email": "new@example.com"}),
    "password": Change(
        "/accounts/password_change/", "old_password", {"new_password1": NEW, "new_password2": NEW}
    ),
    "2fa set-up": Change("/accounts/two_factor/setup/", "current_password", {}),
    "2fa off": Change("/accounts/two_factor/disable/", "current_password", {}, two_factor=True),
    "backup codes": Change(
        "/accounts/two_factor/backup_codes/", "current_password", {}, two_factor=True
    ),
    "deletion": Change("/accounts/delete/", "current_password", {"confirm": "on"}),
}


def prepare(client, user, change: Change) -> Change:
    """Sign in as the change needs; the change with the right code where it asks for one."""
    if change.two_factor:
        device = verify_second_factor(client, user)
        return replace(change, data={**change.data, "token": code_for(device)})
    client.force_login(user)
    if change.url.endswith("/setup/"):
        client.get(change.url)
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        return replace(change, data={"token": code_for(device)})
    return change


def state(user) -> tuple:
    """What any of the changes would alter."""
    row = User.objects.filter(pk=user.pk).first()
    return (
        row and (row.email, row.password),
        list(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True)),
        sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)),
    )


@pytest.mark.parametrize("name", CHANGES)
def test_twelve_wrong_passwords_then_the_right_one_changes_nothing(client, user, name, mailoutbox):
    change = prepare(client, user, CHANGES[name])
    before = state(user)
    responses = [change.post(client, WRONG) for _ in range(12)]
    right = change.post(client, PASSWORD, follow=True)
    assert state(user) == before
    assert mailoutbox == []
    assert "Too many wrong passwords for this account" in right.content.decode()
    if not change.two_factor:  # the forms on their own page answer 429; the others redirect
        assert [r.status_code for r in responses] == [200] * 4 + [429] * 8
        assert right.status_code == 429
    # Five failures were checked and audited; then the lock, once; later tries check nothing.
    assert actions(actor=user, action="reauth_failed") == ["reauth_failed"] * 5
    assert actions(actor=user, action="verify_lockout") == ["verify_lockout"]
    assert FailedCheck.objects.filter(user=user).count() == 5


def test_the_lock_holds_for_the_account_from_any_address(client, user):
    client.force_login(user)
    change = CHANGES["deletion"]
    for n in range(5):
        change.post(client, WRONG, REMOTE_ADDR=f"10.0.0.{n}")
    assert change.post(client, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert User.objects.filter(pk=user.pk).exists()


def test_the_lock_holds_for_an_address_across_accounts(settings):
    settings.VERIFY_IP_FAILURE_LIMIT = 3
    change = CHANGES["deletion"]
    browsers = []
    for _ in range(3):
        browser = Client()
        browser.force_login(UserFactory())
        change.post(browser, WRONG)  # one wrong guess each, from one address
        browsers.append(browser)
    fourth = UserFactory()
    browser = Client()
    browser.force_login(fourth)
    refused = change.post(browser, PASSWORD)
    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    assert change.post(browser, PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302
    assert not User.objects.filter(pk=fourth.pk).exists()


@pytest.mark.parametrize(("seconds", "status"), [(-1, 429), (+1, 302)])
def test_the_lock_lifts_after_the_window(client, user, clock, settings, seconds, status):
    client.force_login(user)
    change = CHANGES["e-mail"]
    for _ in range(5):
        change.post(client, WRONG)
    window = datetime.timedelta(minutes=settings.VERIFY_LOCKOUT_MINUTES)
    clock.advance(window + datetime.timedelta(seconds=seconds))
    assert change.post(client, PASSWORD).status_code == status


def test_the_right_password_clears_the_accounts_failures(client, user):
    client.force_login(user)
    change = CHANGES["e-mail"]
    for _ in range(4):
        change.post(client, WRONG)
    assert change.post(client, PASSWORD).status_code == 302
    for _ in range(4):
        assert change.post(client, WRONG).status_code == 200


def test_it_holds_with_the_cache_down(client, user, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    for method in ("get", "set", "add", "incr", "delete"):
        monkeypatch.setattr(cache, method, down)
    client.force_login(user)
    change = CHANGES["password"]
    assert [change.post(client, WRONG).status_code for _ in range(5)] == [200] * 4 + [429]
    assert change.post(client, PASSWORD).status_code == 429


def test_staff_unlock_clears_the_lock(user, staff_client):
    browser = Client()
    browser.force_login(user)
    change = CHANGES["e-mail"]
    for _ in range(5):
        change.post(browser, WRONG)
    staff_client.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [user.pk]})
    assert not FailedCheck.objects.filter(user=user).exists()
    assert change.post(browser, PASSWORD).status_code == 302


def test_it_never_stores_the_guesses(client, user):
    from accounts.models import AuditEvent

    client.force_login(user)
    CHANGES["e-mail"].post(client, WRONG)
    event = AuditEvent.objects.get(action="reauth_failed")
    assert WRONG not in str(event.metadata)
    assert event.metadata == {"kind": "password", "view": "email_change"}
