"""Audit events and users in the admin."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.models import AuditEvent
from tests.accounts.helpers import sign_in
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db


class TestAuditEvents:
    URL = "/admin/accounts/auditevent/"

    def test_it_filters_by_action_actor_and_date_and_searches_target(self, staff_client, user):
        MeditationSessionFactory(user=user)
        sign_in(Client(), user.email)
        event = AuditEvent.objects.filter(actor=user).first()
        for query in (
            "?action__exact=login",
            f"?actor__id__exact={user.pk}",
            "?created_at__year=2026",
            f"?q={event.target_id}",
        ):
            response = staff_client.get(self.URL + query)
            assert response.status_code == 200
            assert list(response.context["cl"].result_list)

    def test_it_lists_and_filters_every_apps_actions_by_label(self, staff_client, user):
        client = Client()
        client.force_login(user)  # audited as "signed in"
        client.post(
            "/meditate/",
            {"intention": "patience", "number": "", "length": "10", "custom_minutes": "",
             "interval_bell": "0", "dhikr_target": "33"},
        )  # fmt: skip
        assert AuditEvent.objects.filter(action="entry_created").exists()
        response = staff_client.get(self.URL)
        page = response.content.decode()
        assert '<td class="field-action_label">signed in</td>' in page
        assert '<td class="field-action_label">created a journal entry</td>' in page
        choices = {c["display"] for spec in response.context["cl"].filter_specs
                   for c in spec.choices(response.context["cl"])}  # fmt: skip
        assert {"signed in", "created a journal entry", "requested an export"} <= choices
        filtered = staff_client.get(self.URL + "?action__exact=entry_created")
        assert {e.action for e in filtered.context["cl"].result_list} == {"entry_created"}

    def test_it_shows_the_label_on_an_event(self, staff_client, user):
        sign_in(Client(), user.email)
        event = AuditEvent.objects.get(action="login", actor=user)
        response = staff_client.get(f"{self.URL}{event.pk}/change/")
        assert '<div class="readonly">signed in</div>' in response.content.decode()

    def test_it_cannot_delete_events(self, staff_client, user):
        sign_in(Client(), user.email)
        event = AuditEvent.objects.first()
        staff_client.post(
            self.URL, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
        )
        assert AuditEvent.objects.filter(pk=event.pk).exists()


class TestUsers:
    URL = "/admin/accounts/user/"

    def test_it_shows_two_factor_lockouts_and_last_sign_in(self, staff_client, user, other_user):
        verify_second_factor(Client(), other_user)
        for _ in range(5):
            sign_in(Client(), user.email, "wrong password")
        response = staff_client.get(self.URL)
        rows = {u.email: u for u in response.context["cl"].result_list}
        assert rows[other_user.email].has_two_factor
        assert not rows[user.email].has_two_factor
        assert rows[user.email].is_locked_out
        assert "Last login" in response.content.decode()

    def test_it_unlocks_from_the_list(self, staff_client, user):
        for _ in range(5):
            sign_in(Client(), user.email, "wrong password")
        assert sign_in(Client(), user.email).status_code == 429
        staff_client.post(self.URL, {"action": "unlock", "_selected_action": [user.pk]})
        assert not AccessAttempt.objects.exists()
        assert sign_in(Client(), user.email).status_code == 302
        assert AuditEvent.objects.filter(
            action="admin_change", metadata__admin_action="unlocked"
        ).exists()
