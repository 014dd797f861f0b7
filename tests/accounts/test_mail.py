"""The notices: a password changed or reset, two-factor turned off. They say what happened
and link to where to act; never a password, code or journal text."""

import re

import pytest

from tests.accounts.helpers import PASSWORD, code_for
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db
NEW = "a different long passphrase"


def change_password(client):
    return client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )


def test_a_password_change_is_told_to_the_account(signed_in, user, mailoutbox):
    MeditationSessionFactory(user=user, intention="my private intention")
    assert change_password(signed_in).status_code == 302
    [notice] = mailoutbox
    assert notice.to == [user.email]
    assert notice.subject == "Your Aysekai password was changed"
    assert "http://testserver/accounts/password_reset/" in notice.body
    for secret in (PASSWORD, NEW, "my private intention"):
        assert secret not in notice.body


def test_a_refused_change_sends_nothing(signed_in, user, mailoutbox):
    signed_in.post("/accounts/password_change/", {"old_password": "wrong"})
    assert mailoutbox == []


def test_a_password_reset_is_told_too(client, user, mailoutbox, no_rate_limits):
    client.post("/accounts/password_reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password_reset/\S+/)", mailoutbox[0].body)[1]
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    notice = mailoutbox[-1]
    assert len(mailoutbox) == 2
    assert notice.to == [user.email]
    assert "reset with a link sent to this address" in notice.body
    assert NEW not in notice.body


def test_turning_two_factor_off_is_told_without_any_code(client, user, mailoutbox):
    device = verify_second_factor(client, user)
    code = code_for(device)
    client.post("/accounts/two_factor/disable/", {"current_password": PASSWORD, "token": code})
    [notice] = mailoutbox
    assert "turned off" in notice.subject
    assert code not in notice.body
    assert PASSWORD not in notice.body


def test_a_mail_server_down_does_not_undo_or_break_the_change(
    signed_in, user, monkeypatch, mailoutbox, caplog
):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("accounts.mail.send_mail", refuse)
    assert change_password(signed_in).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert "could not send the password_changed mail" in caplog.text
