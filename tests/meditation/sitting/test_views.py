import datetime
import uuid

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from meditation.models import MeditationSession
from meditation.sitting import sittings, views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/meditate/"


def form(**overrides):
    data = {
        "intention": "To be patient with my family",
        "number": "",
        "length": "10",
        "custom_minutes": "",
        "interval_bell": "0",
        "end_bell": "on",
        "dhikr_target": "33",
    }
    return data | overrides


def page(client, location) -> str:
    response = client.get(location)
    assert response.status_code == 200
    return response.content.decode()


def sync(client, location, total, **headers):
    return client.post(f"{location}dhikr/", {"total": total}, HTTP_ACCEPT="application/json",
                       **headers)  # fmt: skip


def start(client, **overrides):
    response = client.post(URL, form(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


class TestForm:
    def test_it_is_two_steps_with_a_picker_of_the_99_names(self, client):
        html = client.get(URL).content.decode()
        assert html.index("1</span> Your intention") < html.index("2</span> The name and the time")
        assert '<option value="" selected>Draw a name for me</option>' in html
        assert html.count("<option value=") >= 99 + 1
        assert '<option value="99">99. Aṣ-Ṣabūr · The Most Patient</option>' in html
        assert 'class="field field--chips"' in html
        assert '<details class="meditate-form__more">' in html  # closed until needed

    def test_the_more_options_open_when_one_of_them_is_wrong(self, client):
        response = client.post(URL, form(length="custom", custom_minutes="500"))
        assert '<details class="meditate-form__more" open>' in response.content.decode()

    def test_it_defaults_to_the_users_preferences(self, client):
        user = UserFactory(default_session_minutes=20, dhikr_target=100)
        client.force_login(user)
        form_ = client.get(URL).context["form"]
        assert form_["length"].value() == "20"
        assert form_["dhikr_target"].value() == 100
        assert (100, "100 (your own)") in form_.fields["dhikr_target"].choices

    def test_it_offers_a_custom_length_for_an_unusual_preference(self, client):
        client.force_login(UserFactory(default_session_minutes=7))
        form_ = client.get(URL).context["form"]
        assert (form_["length"].value(), form_["custom_minutes"].value()) == ("custom", 7)

    def test_it_preselects_a_name_from_the_query_string(self, client):
        assert client.get(URL, {"name": "42"}).context["form"]["number"].value() == "42"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"intention": ""}, "intention"),
            ({"intention": "   "}, "intention"),
            ({"intention": "<b></b>"}, "intention"),
            ({"intention": "x" * 501}, "intention"),
            ({"intention": "x" * 100_000}, "intention"),
            ({"number": "0"}, "number"),
            ({"number": "100"}, "number"),
            ({"number": "abc"}, "number"),
            ({"number": "1.5"}, "number"),
            ({"length": "7"}, "length"),
            ({"length": "custom"}, "custom_minutes"),
            ({"length": "custom", "custom_minutes": "0"}, "custom_minutes"),
            ({"length": "custom", "custom_minutes": "121"}, "custom_minutes"),
            ({"interval_bell": "2"}, "interval_bell"),
            ({"dhikr_target": "7"}, "dhikr_target"),
        ],
    )
    def test_it_answers_bad_input_with_field_errors(self, client, user, overrides, field):
        client.force_login(user)
        response = client.post(URL, form(**overrides))
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert not MeditationSession.objects.exists()

    def test_it_accepts_exactly_500_characters_after_trimming(self, client, user):
        client.force_login(user)
        start(client, intention="  " + "x" * 500 + "  ")
        assert MeditationSession.objects.get().intention == "x" * 500

    def test_it_removes_tags_and_control_characters_and_says_so(self, client, user):
        client.force_login(user)
        response = client.post(
            URL,
            form(intention="<script>alert(1)</script>Peace\x07 and <i>patience</i>"),
            follow=True,
        )
        entry = MeditationSession.objects.get()
        assert entry.intention == "alert(1)Peace and patience"
        messages = [str(m) for m in response.context["messages"]]
        assert any("We removed HTML tags or control characters" in m for m in messages)

    def test_it_does_not_complain_about_plain_spacing(self, client, user):
        client.force_login(user)
        response = client.post(URL, form(intention="  two   spaces  "), follow=True)
        assert not [m for m in response.context["messages"] if "removed" in str(m)]


class TestSignedIn:
    def test_it_draws_a_name_and_shows_it_as_the_heading(self, client, user, monkeypatch):
        monkeypatch.setattr(views, "draw", lambda intention: 47)
        client.force_login(user)
        location = start(client)
        entry = MeditationSession.objects.get()
        assert location == f"/meditate/{entry.pk}/"
        assert (entry.user, entry.name.number, entry.planned_seconds) == (user, 47, 600)
        assert entry.intention == "To be patient with my family"
        html = client.get(location).content.decode()
        heading = html.split('<h1 id="session-heading">', 1)[1].split("</h1>", 1)[0]
        assert entry.name.arabic in heading
        assert "Al-Wadūd" in heading
        assert entry.name.tawil in html
        dhikr = html.split('id="dhikr-heading"', 1)[1].split('class="dhikr__count"', 1)[0]
        assert "Yā Wadūd" in dhikr  # the dhikr in both scripts, above the counter
        assert '<p class="dhikr__arabic arabic" lang="ar" dir="rtl">يَا وَدُودُ</p>' in dhikr
        assert 'data-remaining="600"' in html or 'data-remaining="599"' in html
        assert AuditEvent.objects.filter(action="entry_created", target_id=str(entry.pk)).exists()
        assert "To be patient" not in str(AuditEvent.objects.values_list("metadata"))

    def test_it_takes_the_chosen_name(self, client, user):
        client.force_login(user)
        start(client, number="99", length="custom", custom_minutes="45")
        entry = MeditationSession.objects.get()
        assert (entry.name.number, entry.planned_seconds) == (99, 2700)

    def test_a_tap_without_javascript_counts_one_and_shows_the_page_again(self, client, user):
        client.force_login(user)
        location = start(client)
        plain = client.post(f"{location}dhikr/")
        assert plain["Location"] == f"{location}#dhikr"
        client.post(f"{location}dhikr/")
        assert MeditationSession.objects.get().dhikr_count == 2
        assert '<span class="dhikr__number" data-dhikr-number>2</span>' in page(client, location)

    def test_it_saves_the_finish_once_with_the_actual_time(self, client, user):
        client.force_login(user)
        location = start(client)
        entry = MeditationSession.objects.get()
        MeditationSession.objects.filter(pk=entry.pk).update(
            started_at=timezone.now() - datetime.timedelta(minutes=4)
        )
        data = {"reflection": "Quiet.\nGrateful.", "mood": "calm", "dhikr_count": "33",
                "minutes": "10", "elapsed_seconds": "200"}  # fmt: skip
        first = client.post(f"{location}finish/", data)
        assert first["Location"] == f"/journal/{entry.pk}/"
        entry.refresh_from_db()
        assert entry.finished
        assert entry.actual_seconds == 200  # ended early: the timer's exact time
        assert (entry.reflection, entry.mood, entry.dhikr_count) == (
            "Quiet.\nGrateful.",
            "calm",
            33,
        )
        second = client.post(f"{location}finish/", data | {"reflection": "changed"})
        assert second["Location"] == f"/journal/{entry.pk}/"
        entry.refresh_from_db()
        assert entry.reflection == "Quiet.\nGrateful."
        assert client.get(location)["Location"] == f"/journal/{entry.pk}/"

    def test_it_never_records_more_time_than_has_passed(self, client, user):
        client.force_login(user)
        location = start(client)
        client.post(f"{location}finish/", {"minutes": "120"})
        assert MeditationSession.objects.get().actual_seconds < 5

    def test_it_records_minutes_typed_without_javascript(self, client, user):
        client.force_login(user)
        location = start(client)
        MeditationSession.objects.update(started_at=timezone.now() - datetime.timedelta(hours=1))
        client.post(f"{location}finish/", {"minutes": "12", "dhikr_count": ""})
        entry = MeditationSession.objects.get()
        assert entry.actual_seconds == 720
        assert entry.dhikr_count == 0

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"reflection": "x" * 5001}, "reflection"),
            ({"reflection": "bad\x00byte"}, "reflection"),
            ({"mood": "ecstatic"}, "mood"),
            ({"dhikr_count": "-1"}, "dhikr_count"),
            ({"dhikr_count": "many"}, "dhikr_count"),
            ({"minutes": "-5"}, "minutes"),
            ({"elapsed_seconds": "x"}, "elapsed_seconds"),
        ],
    )
    def test_it_answers_a_bad_finish_with_errors_and_keeps_the_session(
        self, client, user, data, field
    ):
        client.force_login(user)
        location = start(client)
        response = client.post(f"{location}finish/", data)
        assert response.status_code == 200
        assert response.context["finish_form"].errors[field]
        assert not MeditationSession.objects.get().finished

    def test_it_hides_another_users_session_on_every_url_and_method(self, client, user):
        client.force_login(UserFactory())
        location = start(client)
        client.force_login(user)
        assert client.get(location).status_code == 404
        assert client.post(f"{location}dhikr/").status_code == 404
        assert client.post(f"{location}finish/", {"minutes": "1"}).status_code == 404
        assert not MeditationSession.objects.get().finished

    def test_it_404s_an_unknown_session(self, client, user):
        client.force_login(user)
        assert client.get(f"/meditate/{uuid.uuid4()}/").status_code == 404

    def test_it_refuses_wrong_methods(self, client, user):
        client.force_login(user)
        location = start(client)
        assert client.get(f"{location}dhikr/").status_code == 405
        assert client.get(f"{location}finish/").status_code == 405
        assert client.put(URL).status_code == 405


class TestVisitor:
    def test_it_lets_a_visitor_meditate_without_keeping_anything(self, client):
        location = start(client, number="1")
        assert not MeditationSession.objects.exists()
        html = client.get(location).content.decode()
        assert "الرَّحْمَٰنُ" in html
        assert "sign in</a> to keep your next session" in html
        assert "To be patient" not in str(client.session.items())  # words are never stored
        client.post(f"{location}dhikr/")
        done = client.post(f"{location}finish/", {"reflection": "private", "elapsed_seconds": "0"})
        assert done.status_code == 200
        assert "was not kept" in done.content.decode()
        assert not MeditationSession.objects.exists()
        assert client.get(location).status_code == 404

    def test_it_keeps_a_visitors_session_to_their_browser(self, client):
        from django.test import Client

        location = start(client)
        assert Client().get(location).status_code == 404

    def test_it_keeps_only_the_latest_visits(self, client):
        assert sittings.MAX_VISITS == 5
        locations = [start(client) for _ in range(7)]
        oldest, newest = locations[:2], locations[2:]
        assert [client.get(url).status_code for url in oldest] == [404, 404]
        assert [client.get(url).status_code for url in newest] == [200] * 5
        kept = client.session[sittings.VISITS_KEY]
        assert set(kept) == {url.strip("/").rsplit("/", 1)[-1] for url in newest}


class TestRunningTotal:
    """The browser counts each tap at once and sends its running total (meditate.js); the
    server keeps the larger, so no retry, repeat or late request changes what was counted."""

    @pytest.fixture
    def begun(self, client, user):
        """The address of a sitting `user` (signed in on `client`) has just begun."""
        client.force_login(user)
        return start(client)

    def test_it_keeps_the_total_the_browser_sends(self, client, begun):
        response = sync(client, begun, 20)
        assert response.status_code == 200
        assert response.json() == {"count": 20, "finished": False}
        assert MeditationSession.objects.get().dhikr_count == 20

    def test_a_repeat_or_a_late_smaller_total_changes_nothing(self, client, begun):
        for total in (5, 12, 12, 7, 0):  # a retry of 12, then 7 arriving after it
            response = sync(client, begun, total)
        assert response.json()["count"] == 12
        assert MeditationSession.objects.get().dhikr_count == 12

    def test_a_tap_without_javascript_adds_to_the_total_and_a_total_counts_past_it(
        self, client, begun
    ):
        sync(client, begun, 10)
        client.post(f"{begun}dhikr/")  # the same sitting open without scripts elsewhere
        assert sync(client, begun, 10).json()["count"] == 11
        assert sync(client, begun, 15).json()["count"] == 15

    @pytest.mark.parametrize("total", ["", "-1", "1.5", "ten", "100001", "1e3", "0x10", "NaN"])
    def test_a_total_that_is_no_count_is_refused_and_changes_nothing(self, client, begun, total):
        sync(client, begun, 3)
        response = sync(client, begun, total)
        assert response.status_code == 400
        assert "total" in response.json()["errors"]
        assert MeditationSession.objects.get().dhikr_count == 3

    def test_the_most_a_sitting_counts_is_accepted(self, client, begun):
        assert sync(client, begun, 100_000).json()["count"] == 100_000

    def test_a_finished_sitting_keeps_its_count(self, client, begun):
        sync(client, begun, 4)
        client.post(f"{begun}finish/", {"dhikr_count": "4", "elapsed_seconds": "0"})
        response = sync(client, begun, 9)
        assert response.status_code == 409
        assert response.json() == {"count": 4, "finished": True}
        assert MeditationSession.objects.get().dhikr_count == 4

    def test_another_persons_sitting_is_not_found(self, client, begun):
        client.force_login(UserFactory())
        assert sync(client, begun, 5).status_code == 404
        assert MeditationSession.objects.get().dhikr_count == 0

    def test_it_needs_a_post_and_the_csrf_token(self, user):
        from django.test import Client

        plain = Client()
        plain.force_login(user)
        location = start(plain)
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        assert browser.get(f"{location}dhikr/").status_code == 405
        assert sync(browser, location, 5).status_code == 403
        assert MeditationSession.objects.get().dhikr_count == 0

    def test_a_visitors_total_is_kept_in_their_browser_session(self, client):
        location = start(client, number="1")
        assert sync(client, location, 8).json() == {"count": 8, "finished": False}
        assert sync(client, location, 6).json()["count"] == 8
        client.post(f"{location}dhikr/")
        assert '<span class="dhikr__number" data-dhikr-number>9</span>' in page(client, location)
        assert not MeditationSession.objects.exists()
