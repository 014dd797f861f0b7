"""Admin curation, through the admin's own URLs."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.models import AuditEvent
from meditation.models import DivineName
from tests.accounts.helpers import sign_in
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db
SECRET_INTENTION = "zq-secret-intention-xv"
SECRET_REFLECTION = "zq-secret-reflection-xv"


def name_form(name: DivineName, **overrides) -> dict:
    data = {
        "number": name.number,
        "slug": name.slug,
        "arabic": name.arabic,
        "transliteration": name.transliteration,
        "meaning": name.meaning,
        "description": name.description,
        "tawil": name.tawil,
        "quran_references": "; ".join(f"{r['surah']}:{r['ayah']}" for r in name.quran_references),
        "verse_arabic": name.verse_arabic,
        "verse_translation": name.verse_translation,
        "dhikr": name.dhikr,
        "pronunciation": name.pronunciation,
        "phonetics": name.phonetics,
    }
    return data | overrides


class TestNames:
    URL = "/admin/meditation/divinename/"

    def test_it_lists_by_number_with_the_arabic(self, staff_client, django_assert_max_num_queries):
        with django_assert_max_num_queries(12):
            response = staff_client.get(self.URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index(">Ar-Raḥmān<") < html.index(">Ar-Raḥīm<")
        assert 'lang="ar" dir="rtl">الرَّحْمَٰنُ</span>' in html

    @pytest.mark.parametrize(
        ("query", "found"),
        [("Quddūs", "Al-Quddūs"), ("99", "Aṣ-Ṣabūr"), ("Majesty", "Dhū al-Jalāl")],
    )
    def test_it_searches(self, staff_client, query, found):
        assert found in staff_client.get(self.URL, {"q": query}).content.decode()

    def test_it_groups_the_form_and_previews_the_arabic_right_to_left(self, staff_client):
        html = staff_client.get(
            f"{self.URL}{DivineName.objects.get(number=1).pk}/change/"
        ).content.decode()
        for group in ("The name", "Commentary", "In the Qurʾān", "Recitation"):
            assert f">{group}</h2>" in html
        assert 'class="arabic-preview arabic-preview--large" lang="ar" dir="rtl"' in html
        assert 'name="quran_references"' in html
        assert 'value="55:1; 1:3; 20:5; 59:22"' in html

    def test_a_curator_fixes_a_typo_and_the_page_shows_it_at_once(self, staff_client, client):
        name = DivineName.objects.get(number=2)
        client.get("/names/2/")  # the public page has been seen before the edit
        response = staff_client.post(
            f"{self.URL}{name.pk}/change/", name_form(name, meaning="The Especially Merciful")
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert "The Especially Merciful" in client.get("/names/2/").content.decode()
        assert (
            "The Especially Merciful" in client.get("/names/", {"q": "especially"}).content.decode()
        )
        event = AuditEvent.objects.get(action="admin_change", target_id=str(name.pk))
        assert event.actor == staff_client.staff_user
        assert event.metadata == {"admin_action": "changed", "fields": ["Meaning"]}

    def test_it_keeps_a_history_and_can_revert(self, staff_client, client):
        name = DivineName.objects.get(number=3)
        original = name.meaning
        staff_client.post(f"{self.URL}{name.pk}/change/", name_form(name, meaning="Typo King"))
        history = staff_client.get(f"{self.URL}{name.pk}/history/")
        html = history.content.decode()
        assert "Typo King" in html
        assert staff_client.staff_user.email in html
        first = name.history.order_by("history_date").first()
        revert = staff_client.get(f"{self.URL}{name.pk}/history/{first.history_id}/")
        assert revert.status_code == 200
        staff_client.post(
            f"{self.URL}{name.pk}/history/{first.history_id}/", name_form(name, meaning=original)
        )
        assert original in client.get("/names/3/").content.decode()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"number": 100}, "number"),
            ({"number": 0}, "number"),
            ({"number": 1}, "number"),  # already taken by Ar-Raḥmān
            ({"arabic": "Al-Malik"}, "arabic"),
            ({"arabic": ""}, "arabic"),
            ({"verse_arabic": "not arabic"}, "verse_arabic"),
            ({"quran_references": "2:300"}, "quran_references"),
            ({"quran_references": "two"}, "quran_references"),
            ({"meaning": "x" * 10_000}, "meaning"),
        ],
    )
    def test_it_validates(self, staff_client, overrides, field):
        name = DivineName.objects.get(number=3)
        response = staff_client.post(f"{self.URL}{name.pk}/change/", name_form(name, **overrides))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[field]
        name.refresh_from_db()
        assert name.number == 3

    def test_it_cannot_delete_a_name(self, staff_client):
        name = DivineName.objects.get(number=4)
        assert staff_client.post(f"{self.URL}{name.pk}/delete/", {"post": "yes"}).status_code == 403
        assert DivineName.objects.filter(pk=name.pk).exists()


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

    def test_it_lives_at_admin_url(self, settings):
        from django.urls import reverse

        assert reverse("admin:index") == "/" + settings.ADMIN_URL

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
