import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from meditation.journal.tasks import purge_trash
from meditation.models import DivineName, MeditationSession
from tests.factories import MeditationSessionFactory, UserFactory, make_entries

pytestmark = pytest.mark.django_db


def name(number):
    return DivineName.objects.get(number=number)


class TestList:
    def test_it_needs_sign_in(self, client):
        assert client.get("/journal/")["Location"] == "/accounts/login/?next=/journal/"

    def test_it_shows_the_empty_state(self, signed_in):
        assert "Your journal is empty" in signed_in.get("/journal/").content.decode()

    def test_it_lists_newest_first_twenty_a_page(self, signed_in, user):
        make_entries(user, 45)
        first = signed_in.get("/journal/")
        assert [e.intention for e in first.context["entries"]][:2] == ["intention 0", "intention 1"]
        assert len(first.context["entries"]) == 20
        assert first.context["page"].paginator.num_pages == 3
        last = signed_in.get("/journal/", {"page": 3})
        assert [e.intention for e in last.context["entries"]][-1] == "intention 44"
        assert signed_in.get("/journal/", {"page": "999"}).context["page"].number == 3
        assert signed_in.get("/journal/", {"page": "x"}).context["page"].number == 1

    def test_it_shows_only_the_users_own_active_entries(self, signed_in, user, other_user):
        mine = MeditationSessionFactory(user=user, intention="mine")
        MeditationSessionFactory(user=other_user, intention="theirs")
        MeditationSessionFactory(user=user, intention="binned", deleted_at=timezone.now())
        assert [e.pk for e in signed_in.get("/journal/").context["entries"]] == [mine.pk]

    @pytest.mark.parametrize("query", [{}, {"q": "reflection 5"}, {"name": "3", "mood": ""}])
    def test_it_runs_a_constant_number_of_queries_with_1000_entries(
        self, signed_in, user, django_assert_max_num_queries, query
    ):
        make_entries(user, 1000)
        # A search adds two: each term's count in the index, then the candidates.
        with django_assert_max_num_queries(9 if "q" in query else 7):
            response = signed_in.get("/journal/", query)
        assert response.status_code == 200
        assert response.context["entries"]

    def test_it_searches_the_decrypted_text_of_the_users_own_entries(
        self, signed_in, user, other_user
    ):
        MeditationSessionFactory(user=user, intention="Sabr with my mother", reflection="")
        MeditationSessionFactory(user=user, intention="work", reflection="A calm Évening")
        MeditationSessionFactory(user=other_user, intention="sabr too")
        found = signed_in.get("/journal/", {"q": "SABR"}).context["entries"]
        assert [e.intention for e in found] == ["Sabr with my mother"]
        assert len(signed_in.get("/journal/", {"q": "evening"}).context["entries"]) == 1
        empty = signed_in.get("/journal/", {"q": "nothing like this"})
        assert "No entry matches" in empty.content.decode()

    def test_it_filters_by_name_mood_and_local_dates(self, signed_in, user):
        user.time_zone = "Asia/Tokyo"
        user.save()
        late = datetime.datetime(2026, 3, 1, 16, 0, tzinfo=datetime.UTC)
        MeditationSessionFactory(user=user, name=name(5), mood="calm", started_at=late)
        MeditationSessionFactory(
            user=user, name=name(6), mood="joyful",
            started_at=datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC),
        )  # fmt: skip

        def numbers(**params):
            return [e.name.number for e in signed_in.get("/journal/", params).context["entries"]]

        assert numbers(name="5") == [5]
        assert numbers(mood="joyful") == [6]
        # 16:00 UTC on 1 March is 01:00 on 2 March in Tokyo.
        assert numbers(**{"from": "2026-03-02", "to": "2026-03-02"}) == [5]
        assert numbers(**{"from": "2026-03-01", "to": "2026-03-01"}) == [6]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"name": "0"}, "name"),
            ({"name": "abc"}, "name"),
            ({"from": "2026-13-40"}, "from"),
            ({"from": "2026-03-05", "to": "2026-03-01"}, "to"),
            ({"mood": "ecstatic"}, "mood"),
            ({"q": "x" * 201}, "q"),
        ],
    )
    def test_it_answers_bad_filters_with_errors_not_500(self, signed_in, user, params, field):
        make_entries(user, 3)
        response = signed_in.get("/journal/", params)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert response.context["entries"] == []


class TestEntry:
    def test_it_shows_the_entry(self, signed_in, user):
        entry = MeditationSessionFactory(
            user=user, intention="Be kind", reflection="It was <b>good</b>"
        )
        html = signed_in.get(f"/journal/{entry.pk}/").content.decode()
        assert "Be kind" in html
        assert "It was &lt;b&gt;good&lt;/b&gt;" in html

    def test_it_edits_inline_with_htmx(self, signed_in, user):
        entry = MeditationSessionFactory(user=user, reflection="old", mood="")
        form = signed_in.get(f"/journal/{entry.pk}/edit/", HTTP_HX_REQUEST="true")
        assert form.content.decode().lstrip().startswith('<section id="entry-body"')
        saved = signed_in.post(
            f"/journal/{entry.pk}/edit/", {"reflection": "new words", "mood": "grateful"},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
        html = saved.content.decode()
        assert html.lstrip().startswith('<section id="entry-body"')
        assert "new words" in html
        entry.refresh_from_db()
        assert (entry.reflection, entry.mood) == ("new words", "grateful")
        event = AuditEvent.objects.get(action="entry_edited", target_id=str(entry.pk))
        assert event.metadata == {"fields": ["mood", "reflection"]}

    def test_it_edits_without_javascript(self, signed_in, user):
        entry = MeditationSessionFactory(user=user)
        assert "<html" in signed_in.get(f"/journal/{entry.pk}/edit/").content.decode()
        response = signed_in.post(f"/journal/{entry.pk}/edit/", {"reflection": "plain", "mood": ""})
        assert response["Location"] == f"/journal/{entry.pk}/"

    @pytest.mark.parametrize(
        ("data", "field"),
        [({"reflection": "x" * 5001, "mood": ""}, "reflection"),
         ({"reflection": "a\x00b", "mood": ""}, "reflection"),
         ({"reflection": "", "mood": "ecstatic"}, "mood")],
    )  # fmt: skip
    def test_it_answers_bad_edits_with_errors(self, signed_in, user, data, field):
        entry = MeditationSessionFactory(user=user, reflection="kept")
        response = signed_in.post(f"/journal/{entry.pk}/edit/", data)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        entry.refresh_from_db()
        assert entry.reflection == "kept"

    def test_it_moves_to_the_trash_and_restores(self, signed_in, user):
        entry = MeditationSessionFactory(user=user)
        assert signed_in.post(f"/journal/{entry.pk}/delete/")["Location"] == "/journal/"
        assert signed_in.get(f"/journal/{entry.pk}/").status_code == 404
        trash = signed_in.get("/journal/trash/")
        assert [r["entry"].pk for r in trash.context["rows"]] == [entry.pk]
        assert (
            signed_in.post(f"/journal/{entry.pk}/restore/")["Location"] == f"/journal/{entry.pk}/"
        )
        assert signed_in.get(f"/journal/{entry.pk}/").status_code == 200
        assert signed_in.post(f"/journal/{entry.pk}/restore/").status_code == 404
        actions = AuditEvent.objects.filter(target_id=str(entry.pk)).values_list(
            "action", flat=True
        )
        assert set(actions) >= {"entry_deleted", "entry_restored"}

    def test_the_journal_offers_to_undo_a_move_to_the_trash_once(self, signed_in, user):
        entry = MeditationSessionFactory(user=user)
        signed_in.post(f"/journal/{entry.pk}/delete/")
        page = signed_in.get("/journal/").content.decode()
        undo = f'<form class="undo" method="post" action="/journal/{entry.pk}/restore/">'
        assert undo in page
        assert ">Undo</button>" in page
        assert undo not in signed_in.get("/journal/").content.decode()  # offered once
        signed_in.post(f"/journal/{entry.pk}/restore/")
        assert signed_in.get(f"/journal/{entry.pk}/").status_code == 200

    def test_no_undo_is_offered_for_an_entry_restored_meanwhile(self, signed_in, user):
        entry = MeditationSessionFactory(user=user)
        signed_in.post(f"/journal/{entry.pk}/delete/")
        signed_in.post(f"/journal/{entry.pk}/restore/")
        assert 'class="undo"' not in signed_in.get("/journal/").content.decode()

    def test_an_unfinished_sitting_can_be_continued_or_discarded_from_the_journal(
        self, signed_in, user
    ):
        unfinished = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
        finished = MeditationSessionFactory(user=user)
        page = signed_in.get("/journal/").content.decode()
        assert f'href="/meditate/{unfinished.pk}/">Continue</a>' in page
        assert f'formaction="/journal/{unfinished.pk}/delete/">Discard</button>' in page
        assert f"/meditate/{finished.pk}/" not in page
        assert '<form id="entry-actions" method="post" hidden>' in page
        actions = page.split('<form id="entry-actions"')[1].split("</form>")[0]
        assert "csrfmiddlewaretoken" in actions
        assert "Continue it</a>" in signed_in.get(unfinished.get_absolute_url()).content.decode()

    def test_it_shows_an_empty_trash(self, signed_in, settings):
        html = signed_in.get("/journal/trash/").content.decode()
        days = settings.TRASH_RETENTION_DAYS
        assert f"The trash is empty. An entry you move here waits {days} days" in html

    def test_it_purges_entries_thirty_days_in_the_trash(self, user):
        old = MeditationSessionFactory(
            user=user, deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        recent = MeditationSessionFactory(
            user=user, deleted_at=timezone.now() - datetime.timedelta(days=29)
        )
        active = MeditationSessionFactory(user=user)
        # Run in this process: the test database is not committed, so a worker could not see it.
        assert purge_trash.apply().get() == 1
        assert set(MeditationSession.objects.values_list("pk", flat=True)) == {recent.pk, active.pk}
        assert not MeditationSession.objects.filter(pk=old.pk).exists()
        assert AuditEvent.objects.get(action="entry_purged").metadata == {"count": 1}

    def test_it_schedules_the_purge(self, settings):
        assert settings.CELERY_BEAT_SCHEDULE["purge-trash"]["task"] == "meditation.purge_trash"


class TestOwnership:
    URLS = [
        ("get", "/journal/{}/"),
        ("get", "/journal/{}/edit/"),
        ("post", "/journal/{}/edit/"),
        ("post", "/journal/{}/delete/"),
        ("post", "/journal/{}/restore/"),
    ]

    @pytest.mark.parametrize(("method", "url"), URLS)
    def test_it_answers_404_for_another_users_entry(self, signed_in, other_user, method, url):
        entry = MeditationSessionFactory(user=other_user, reflection="theirs")
        binned = MeditationSessionFactory(user=other_user, deleted_at=timezone.now())
        for target in (entry, binned):
            response = getattr(signed_in, method)(url.format(target.pk), {"reflection": "x"})
            assert response.status_code == 404
        entry.refresh_from_db()
        assert (entry.reflection, entry.deleted_at) == ("theirs", None)

    @pytest.mark.parametrize(("method", "url"), URLS)
    def test_it_sends_visitors_to_sign_in(self, client, user, method, url):
        entry = MeditationSessionFactory(user=user)
        response = getattr(client, method)(url.format(entry.pk))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(
        ("method", "url"),
        [("get", "/journal/{}/delete/"), ("get", "/journal/{}/restore/"),
         ("post", "/journal/{}/"), ("put", "/journal/{}/edit/")],
    )  # fmt: skip
    def test_it_refuses_wrong_methods(self, signed_in, user, method, url):
        entry = MeditationSessionFactory(user=user)
        assert getattr(signed_in, method)(url.format(entry.pk)).status_code == 405

    def test_it_404s_an_unknown_or_malformed_id(self, signed_in):
        assert signed_in.get(f"/journal/{uuid.uuid4()}/").status_code == 404
        assert signed_in.get("/journal/not-a-uuid/").status_code == 404


class TestPrivacy:
    def test_it_stores_no_plaintext_in_the_database(self, user):
        entry = MeditationSessionFactory(
            user=user, intention="my secret intention", reflection="my secret reflection"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT intention, reflection FROM meditation_meditationsession WHERE id = %s",
                [entry.pk.hex if connection.vendor == "sqlite" else entry.pk],
            )
            intention, reflection = cursor.fetchone()
        assert "secret" not in intention
        assert "secret" not in reflection
        assert intention.startswith("gAAAAA")  # a Fernet token
        entry.refresh_from_db()
        assert entry.intention == "my secret intention"

    def test_it_rotates_to_the_first_key(self, user, settings, capsys):
        from cryptography.fernet import Fernet
        from django.core.management import call_command

        entry = MeditationSessionFactory(user=user, intention="rotate me", reflection="")
        new_key = Fernet.generate_key().decode()
        old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
        settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
        call_command("rotate_field_keys")
        assert "Re-encrypted 1 journal entries" in capsys.readouterr().out
        settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old keys can now go
        entry.refresh_from_db()
        assert entry.intention == "rotate me"
        assert entry.reflection == ""

    def test_it_gives_back_every_field_of_the_old_session_log(self, user):
        entry = MeditationSessionFactory(user=user, name=name(7), intention="a prompt")
        record = entry.legacy_record()
        assert set(record) == {"timestamp", "user", "prompt", "name_number",
                               "name_transliteration", "session_id"}  # fmt: skip
        assert record["prompt"] == "a prompt"
        assert (record["name_number"], record["name_transliteration"]) == (7, "Al-Muhaymin")
        assert record["user"] == user.email
        assert record["session_id"] == str(entry.pk)
        imported = MeditationSessionFactory(
            user=user, legacy_id="abc-123", legacy_user="ali", source="import"
        )
        assert imported.legacy_record()["session_id"] == "abc-123"
        assert imported.legacy_record()["user"] == "ali"

    def test_it_keeps_one_legacy_id_per_user(self, user):
        from django.db import IntegrityError, transaction

        MeditationSessionFactory(user=user, legacy_id="same")
        MeditationSessionFactory(user=UserFactory(), legacy_id="same")
        MeditationSessionFactory(user=user, legacy_id="")
        MeditationSessionFactory(user=user, legacy_id="")
        with pytest.raises(IntegrityError), transaction.atomic():
            MeditationSessionFactory(user=user, legacy_id="same")


@pytest.mark.parametrize("query", ["'", "-", "ʿ", "\u064e", "' -"])
def test_it_finds_nothing_for_a_search_with_nothing_to_look_for(signed_in, user, query):
    MeditationSessionFactory(user=user, intention="patience", reflection="a quiet hour")
    response = signed_in.get("/journal/", {"q": query})
    assert response.status_code == 200
    assert response.context["entries"] == []
