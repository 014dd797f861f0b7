"""Journal entries in the admin: metadata only."""

import datetime

import pytest
from django.test import Client

from accounts.models import AuditEvent
from meditation.models import DivineName
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
        ("query", "listed"),
        [
            ("", {"web_2024", "import_2025", "trashed_import_2025"}),
            ("?name__id__exact={name_2}", {"import_2025"}),
            ("?source__exact=import", {"import_2025", "trashed_import_2025"}),
            ("?source__exact=web", {"web_2024"}),
            ("?started_at__year=2024", {"web_2024"}),
            ("?started_at__year=2025&started_at__month=6&started_at__day=15", {"import_2025"}),
            ("?deleted_at__isempty=0", {"trashed_import_2025"}),
            ("?deleted_at__isempty=1", {"web_2024", "import_2025"}),
            ("?source__exact=import&deleted_at__isempty=1", {"import_2025"}),
        ],
    )
    def test_it_filters(self, staff_client, user, query, listed):
        name_2 = DivineName.objects.get(number=2)

        def at(day):
            return datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00")

        secret = {"intention": SECRET_INTENTION, "reflection": SECRET_REFLECTION}
        entries = {
            "web_2024": MeditationSessionFactory(user=user, started_at=at("2024-06-15"), **secret),
            "import_2025": MeditationSessionFactory(
                user=user, name=name_2, source="import", started_at=at("2025-06-15"), **secret
            ),
            "trashed_import_2025": MeditationSessionFactory(
                user=user,
                source="import",
                started_at=at("2025-06-20"),
                deleted_at=at("2025-06-21"),
                **secret,
            ),
        }
        response = staff_client.get(self.URL + query.format(name_2=name_2.pk))
        # An unknown or refused filter answers with a redirect (?e=1), not a filtered list.
        assert response.status_code == 200
        html = response.content.decode()
        shown = {key for key, entry in entries.items() if f"{self.URL}{entry.pk}/change/" in html}
        assert shown == listed
        assert "zq-secret" not in html

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
