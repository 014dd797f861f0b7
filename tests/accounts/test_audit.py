import datetime

import pytest
from django.core.management import call_command
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
