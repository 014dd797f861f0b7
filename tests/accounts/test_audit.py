import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory
from django.utils import timezone

from accounts import audit
from accounts.audit import Action, AppendOnlyError
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(user):
    request = RequestFactory().get(
        "/", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 1000, REMOTE_ADDR="192.0.2.10"
    )
    request.user = user
    request.request_id = "req-12345678"
    return request


def test_it_fills_request_id_ip_and_truncated_user_agent(request_, user):
    event = audit.record(request_, Action.SETTINGS_CHANGED, user, fields=["theme"])
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert event.ip == "192.0.2.10"
    assert event.request_id == "req-12345678"
    assert len(event.user_agent) == 256
    assert event.metadata == {"fields": ["theme"]}


def test_it_refuses_secrets_in_metadata(request_):
    with pytest.raises(ValueError, match="password"):
        audit.record(request_, Action.LOGIN, password="hunter2")


def test_it_refuses_changes_and_deletes(request_):
    event = audit.record(request_, Action.LOGIN)
    event.action = Action.LOGOUT
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action=Action.LOGOUT)
    assert AuditEvent.objects.get().action == Action.LOGIN


def test_it_is_read_only_in_admin(staff_client, request_):
    event = audit.record(request_, Action.LOGIN)
    assert staff_client.get("/admin/accounts/auditevent/").status_code == 200
    assert staff_client.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert staff_client.get("/admin/accounts/auditevent/add/").status_code == 403
    staff_client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert staff_client.get(f"/admin/accounts/auditevent/?q={event.target_id}").status_code == 200


def test_it_purges_events_past_the_retention_period(request_, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 30
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.LOGIN, created_at=timezone.now() - datetime.timedelta(days=31))]
    )
    kept = audit.record(request_, Action.LOGOUT)
    call_command("purge_audit_events")
    assert "Removed 1 audit events older than 30 days" in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_it_sends_a_request_id_with_every_response(client):
    response = client.get("/")
    assert len(response["X-Request-ID"]) == 32
    echoed = client.get("/", HTTP_X_REQUEST_ID="abcdef12-3456")
    assert echoed["X-Request-ID"] == "abcdef12-3456"
    hostile = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert hostile["X-Request-ID"] != "<script>alert(1)</script>"


def test_it_purges_on_a_schedule(settings):
    from accounts.tasks import purge_audit_events

    settings.AUDIT_RETENTION_DAYS = 30
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.LOGIN, created_at=timezone.now() - datetime.timedelta(days=40))]
    )
    assert purge_audit_events.apply().get() == 1
    assert (
        settings.CELERY_BEAT_SCHEDULE["purge-audit-events"]["task"] == "accounts.purge_audit_events"
    )


class TestActions:
    """Each app registers its own actions; the trail refuses any other."""

    @pytest.fixture
    def registry(self, monkeypatch):
        """Registrations made by a test are forgotten after it."""
        monkeypatch.setattr(audit, "_actions", dict(audit._actions))

    def test_it_refuses_an_action_no_app_registered(self, request_):
        with pytest.raises(audit.UnknownActionError, match="entry_creatd"):
            audit.record(request_, "entry_creatd")
        assert not AuditEvent.objects.exists()

    def test_it_records_an_action_once_its_app_registered_it(self, request_, registry):
        class Later(models.TextChoices):
            NAME_LEARNT = "name_learnt", "learnt a name"

        with pytest.raises(audit.UnknownActionError):
            audit.record(request_, Later.NAME_LEARNT)
        audit.register_actions(Later)
        event = audit.record(request_, Later.NAME_LEARNT)
        assert str(event).endswith(" learnt a name")

    def test_it_refuses_a_value_another_app_already_registered(self, registry):
        class Clash(models.TextChoices):
            SIGNED_IN = "login", "logged in"

        with pytest.raises(ImproperlyConfigured, match=r"'login'.*accounts\.audit\.Action"):
            audit.register_actions(Clash)
        assert audit.label("login") == "signed in"

    def test_it_refuses_a_value_too_long_for_the_column(self, registry):
        class TooLong(models.TextChoices):
            LONG = "x" * 33, "did something long"

        with pytest.raises(ImproperlyConfigured, match="longer than 32"):
            audit.register_actions(TooLong)

    def test_it_registers_the_same_actions_twice_without_complaint(self, registry):
        audit.register_actions(Action)
        assert audit.label(Action.LOGIN) == "signed in"

    def test_it_labels_events_of_every_app(self, request_):
        from meditation.audit import Action as MeditationAction

        login = audit.record(request_, Action.LOGIN)
        entry = audit.record(request_, MeditationAction.ENTRY_CREATED)
        assert str(login).endswith(" signed in")
        assert str(entry).endswith(" created a journal entry")

    def test_it_shows_an_action_no_longer_registered_by_its_value(self):
        AuditEvent.objects.bulk_create([AuditEvent(action="retired_action")])
        assert AuditEvent.objects.get().action_label == "retired_action"

    def test_it_needs_no_accounts_migration_for_a_new_action(self, registry, capsys):
        class Later(models.TextChoices):
            NAME_LEARNT = "name_learnt", "learnt a name"

        audit.register_actions(Later)
        assert not AuditEvent._meta.get_field("action").choices
        # Exits with status 1 if the models differ from the migrations.
        call_command("makemigrations", "accounts", "--check", "--dry-run")
        assert "No changes detected" in capsys.readouterr().out
