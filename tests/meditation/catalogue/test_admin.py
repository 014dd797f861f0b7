"""Curating the names in the admin, through the admin's own URLs."""

import pytest

from accounts.models import AuditEvent
from meditation.models import DivineName, NameTranslation

pytestmark = pytest.mark.django_db


TRANSLATED = ("meaning", "description", "tawil", "dhikr", "verse_translation")


def translations_formset(name: DivineName, **changes: dict) -> dict:
    """The name page's inline of its translations, as the admin sends it: each language's
    current fields, with `changes` ({"tr": {"meaning": ...}}) applied."""
    rows = list(NameTranslation.objects.filter(name=name).order_by("language"))
    data = {"translations-TOTAL_FORMS": str(len(rows)),
            "translations-INITIAL_FORMS": str(len(rows)),
            "translations-MIN_NUM_FORMS": "0", "translations-MAX_NUM_FORMS": "2"}  # fmt: skip
    for i, row in enumerate(rows):
        fields = {f: getattr(row, f) for f in TRANSLATED} | changes.get(row.language, {})
        data |= {f"translations-{i}-{f}": v for f, v in fields.items()}
        data |= {f"translations-{i}-id": str(row.pk), f"translations-{i}-name": str(name.pk),
                 f"translations-{i}-language": row.language}  # fmt: skip
    return data


def name_form(name: DivineName, translations: dict | None = None, **overrides) -> dict:
    data = translations_formset(name, **(translations or {})) | {
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
        "dhikr_arabic": name.dhikr_arabic,
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
            ({"dhikr_arabic": "Yā Malik"}, "dhikr_arabic"),
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


class TestTranslations:
    URL = "/admin/meditation/divinename/"

    def test_the_names_page_edits_each_language(self, staff_client):
        name = DivineName.objects.get(number=1)
        html = staff_client.get(f"{self.URL}{name.pk}/change/").content.decode()
        assert 'name="translations-0-meaning"' in html
        assert "Çok merhametli" in html

    def test_a_curator_edits_the_turkish_and_the_page_shows_it_at_once(self, staff_client, client):
        name = DivineName.objects.get(number=1)
        client.get("/tr/names/1/")  # stored before the edit
        changes = {"tr": {"meaning": "Sonsuz merhamet sahibi"}}
        response = staff_client.post(f"{self.URL}{name.pk}/change/",
                                     name_form(name, translations=changes))  # fmt: skip
        assert response.status_code == 302
        assert "Sonsuz merhamet sahibi" in client.get("/tr/names/1/").content.decode()
        assert "Sonsuz merhamet sahibi" not in client.get("/names/1/").content.decode()

    def test_each_translation_keeps_a_history_that_can_be_reverted(self, staff_client):
        name = DivineName.objects.get(number=2)
        translation = NameTranslation.objects.get(name=name, language="tr")
        original = translation.meaning
        typo = {"tr": {"meaning": "Yazım hatası"}}
        staff_client.post(f"{self.URL}{name.pk}/change/", name_form(name, translations=typo))
        url = f"/admin/meditation/nametranslation/{translation.pk}/history/"
        assert "Yazım hatası" in staff_client.get(url).content.decode()
        first = translation.history.earliest()
        revert = {f: getattr(first, f) for f in TRANSLATED} | {"language": "tr"}
        response = staff_client.post(f"{url}{first.history_id}/", revert)
        assert response.status_code == 302
        translation.refresh_from_db()
        assert translation.meaning == original

    def test_the_translations_list_filters_by_language(self, staff_client):
        html = staff_client.get("/admin/meditation/nametranslation/", {"language": "ar"})
        assert "ذو الرحمة" in html.content.decode()
        assert staff_client.get("/admin/meditation/nametranslation/abc/history/").status_code == 404
