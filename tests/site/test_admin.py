"""Who reaches the admin: staff with a verified second factor."""

import importlib

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

import aysekai_site.urls
from accounts.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reload_urlconf() -> None:
    """Build the URLconf again: `aysekai_site.urls` reads ADMIN_URL when it is imported."""
    clear_url_caches()
    importlib.reload(aysekai_site.urls)
    clear_url_caches()


@pytest.fixture
def admin_at_unusual_url():
    with override_settings(ADMIN_URL="curation-7q2/"):
        reload_urlconf()
        yield "/curation-7q2/"
    reload_urlconf()


class TestAccess:
    def test_it_keeps_non_staff_out(self, client, user):
        client.force_login(user)
        response = client.get("/admin/meditation/divinename/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_it_keeps_staff_without_a_second_factor_out(self, client):
        staff = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(staff)
        assert client.get("/admin/meditation/divinename/").status_code == 302

    def test_it_lives_at_admin_url(self, admin_at_unusual_url, staff_client):
        index = staff_client.get(admin_at_unusual_url)
        assert index.status_code == 200
        assert "Aysekai curation" in index.content.decode()
        assert reverse("admin:index") == admin_at_unusual_url
        assert staff_client.get("/admin/").status_code == 404
        assert staff_client.get("/admin/meditation/divinename/").status_code == 404
        # Moved, it still keeps everyone else out.
        outside = Client().get(f"{admin_at_unusual_url}meditation/divinename/")
        assert outside.status_code == 302
        assert outside["Location"].startswith(f"{admin_at_unusual_url}login/")

    def test_every_admin_change_is_audited_even_in_bulk(self, staff_client, user):
        AccessAttempt.objects.create(
            username="a@example.com",
            ip_address="10.0.0.1",
            failures_since_start=5,
            user_agent="x",
            path_info="/",
        )
        AccessAttempt.objects.create(
            username="b@example.com",
            ip_address="10.0.0.2",
            failures_since_start=5,
            user_agent="x",
            path_info="/",
        )
        ids = list(AccessAttempt.objects.values_list("pk", flat=True))
        staff_client.post(
            "/admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        deleted = AuditEvent.objects.filter(action="admin_change", metadata__admin_action="deleted")
        assert deleted.count() == 2
