"""Journal entries in the admin: metadata only."""

import pytest
from django.test import Client

from accounts.models import AuditEvent
from tests.accounts.helpers import sign_in
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db
SECRET_INTENTION = "zq-secret-intention-xv"
SECRET_REFLECTION = "zq-secret-reflection-xv"


class TestSessions:
    URL = "/admin/meditation/meditationsession/"

    def test_it_shows_metadata_only_and_no_add_or_change(self, staff_client, user):
        entry = MeditationSessionFactory(
            user=user, intention=SECRET_INTENTION, reflection=SECRET_REFLECTION
        )
        listing = staff_client.get(self.URL).content.decode()
        assert user.email in listing
        detail = staff_client.get(f"{self.URL}{entry.pk}/change/").content.decode()
        assert "Dhikr count" in detail
        assert staff_client.get(f"{self.URL}add/").status_code == 403
        response = staff_client.post(f"{self.URL}{entry.pk}/change/", {"dhikr_count": 5})
        assert response.status_code == 403
        assert (
            staff_client.post(f"{self.URL}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        )

    @pytest.mark.parametrize(
        "query",
        [
            "?source__exact=import",
            "?name__id__exact=1",
            "?started_at__year=2026",
            "?deleted_at__isempty=1",
        ],
    )
    def test_it_filters(self, staff_client, user, query):
        MeditationSessionFactory(user=user)
        assert staff_client.get(self.URL + query).status_code == 200

    def test_it_shows_journal_text_nowhere(self, staff_client, user):
        entry = MeditationSessionFactory(
            user=user, intention=SECRET_INTENTION, reflection=SECRET_REFLECTION
        )
        client = Client()
        sign_in(client, user.email)
        client.post(
            f"/journal/{entry.pk}/edit/", {"reflection": SECRET_REFLECTION + "2", "mood": ""}
        )
        pages = [
            "/admin/",
            self.URL,
            f"{self.URL}{entry.pk}/change/",
            f"{self.URL}{entry.pk}/history/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{user.pk}/change/",
            "/admin/accounts/auditevent/",
            "/admin/admin/logentry/",
        ] + [f"/admin/accounts/auditevent/{e.pk}/change/" for e in AuditEvent.objects.all()]
        for url in pages:
            response = staff_client.get(url)
            if response.status_code == 404:
                continue
            html = response.content.decode()
            assert "zq-secret" not in html, url
