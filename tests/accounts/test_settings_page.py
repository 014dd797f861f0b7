import pytest

from tests.accounts.helpers import actions

pytestmark = pytest.mark.django_db
URL = "/accounts/settings/"


def data(**overrides):
    return {
        "display_name": "Maryam",
        "time_zone": "Europe/Istanbul",
        "default_session_minutes": "20",
        "dhikr_target": "99",
        "language": "en",
        "theme": "dark",
        "show_streaks": "",
    } | overrides


def test_it_needs_sign_in(client):
    assert client.get(URL)["Location"] == "/accounts/login/?next=/accounts/settings/"


def test_it_saves_preferences_and_audits_which_fields_changed(client, user):
    client.force_login(user)
    response = client.post(URL, data())
    assert response["Location"] == URL
    user.refresh_from_db()
    assert (user.display_name, user.time_zone, user.default_session_minutes) == (
        "Maryam", "Europe/Istanbul", 20,
    )  # fmt: skip
    assert (user.dhikr_target, user.theme, user.show_streaks) == (99, "dark", False)
    event = user_events(user, "settings_changed")[0]
    assert "time_zone" in event.metadata["fields"]
    assert "Maryam" not in str(event.metadata)


def user_events(user, action):
    from accounts.models import AuditEvent

    return list(AuditEvent.objects.filter(actor=user, action=action))


def test_it_applies_the_theme_to_every_page(client, user):
    client.force_login(user)
    client.post(URL, data(theme="light"))
    assert 'data-theme="light"' in client.get("/names/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": "x" * 10_000}, "display_name"),
        ({"display_name": "bad\x00name"}, "display_name"),
        ({"display_name": "tab\tname"}, "display_name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"default_session_minutes": "0"}, "default_session_minutes"),
        ({"default_session_minutes": "121"}, "default_session_minutes"),
        ({"default_session_minutes": "ten"}, "default_session_minutes"),
        ({"dhikr_target": "-1"}, "dhikr_target"),
        ({"dhikr_target": "9" * 50}, "dhikr_target"),
        ({"theme": "neon"}, "theme"),
    ],
)
def test_it_answers_bad_input_with_field_errors(client, user, overrides, field):
    client.force_login(user)
    response = client.post(URL, data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert actions(actor=user, action="settings_changed") == []
