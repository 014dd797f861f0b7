"""/journal/?q=: every writer keeps the blind index current, and the queries stay few."""

from __future__ import annotations

import pytest

from meditation.models import JournalToken, MeditationSession
from tests.factories import MeditationSessionFactory, make_entries
from tests.meditation.imports.helpers import log, row, upload
from tests.meditation.sitting.test_views import start

pytestmark = pytest.mark.django_db


def hits(client, query) -> list[str]:
    response = client.get("/journal/", {"q": query})
    assert response.status_code == 200
    return [e.intention for e in response.context["entries"]]


def test_it_finds_what_a_sitting_started_and_finished(signed_in):
    location = start(signed_in, intention="To meet the dawn")
    assert hits(signed_in, "dawn") == ["To meet the dawn"]
    signed_in.post(f"{location}finish/", {"reflection": "Stillness came", "minutes": "10"})
    assert hits(signed_in, "stillness") == ["To meet the dawn"]
    assert hits(signed_in, "dawn still") == ["To meet the dawn"]


def test_it_finds_an_edit_and_forgets_the_old_words(signed_in, user):
    entry = MeditationSessionFactory(user=user, intention="mine", reflection="old words")
    signed_in.post(f"/journal/{entry.pk}/edit/", {"reflection": "new thoughts", "mood": ""})
    assert hits(signed_in, "thoughts") == ["mine"]
    assert hits(signed_in, "old") == []


def test_it_finds_what_an_import_created_in_bulk(signed_in, user):
    upload(signed_in, log(row(prompt="patience imported"), row(prompt="another one")))
    assert MeditationSession.objects.filter(user=user).count() == 2
    assert hits(signed_in, "patien") == ["patience imported"]


def test_it_finds_what_an_update_wrote(signed_in, user):
    entry = MeditationSessionFactory(user=user, intention="mine", reflection="")
    MeditationSession.objects.filter(pk=entry.pk).update(reflection="rain on the roof")
    assert hits(signed_in, "roof") == ["mine"]
    # A save that does not write the text leaves its tokens alone.
    before = set(JournalToken.objects.values_list("token", flat=True))
    entry.refresh_from_db()
    entry.save(update_fields=["mood"])
    assert set(JournalToken.objects.values_list("token", flat=True)) == before


def test_it_searches_only_active_entries_in_the_filters(signed_in, user):
    MeditationSessionFactory(user=user, intention="kept mercy", mood="calm")
    MeditationSessionFactory(user=user, intention="other mercy", mood="tired")
    trashed = MeditationSessionFactory(user=user, intention="trashed mercy")
    signed_in.post(f"/journal/{trashed.pk}/delete/")
    assert sorted(hits(signed_in, "mercy")) == ["kept mercy", "other mercy"]
    response = signed_in.get("/journal/", {"q": "mercy", "mood": "calm"})
    assert [e.intention for e in response.context["entries"]] == ["kept mercy"]
    assert response.context["page"].paginator.count == 1


def test_it_shows_a_page_of_many_matches_with_their_count(signed_in, user):
    make_entries(user, 45)  # "intention 0" … "intention 44"
    response = signed_in.get("/journal/", {"q": "intention", "page": 3})
    assert response.context["page"].paginator.count == 45
    assert [e.intention for e in response.context["entries"]][-1] == "intention 44"
    assert hits(signed_in, "intention 4") == [f"intention {n}" for n in (4, *range(40, 45))]


def test_it_finds_common_words_through_a_subquery(signed_in, user, monkeypatch):
    monkeypatch.setattr("meditation.journal.search.LIST_MAX", 10)
    make_entries(user, 45)
    response = signed_in.get("/journal/", {"q": "intention 4"})
    assert response.context["page"].paginator.count == 6
    response = signed_in.get("/journal/", {"q": "reflection"})
    assert response.context["page"].paginator.count == 45


def test_it_checks_a_term_longer_than_the_index_on_its_candidates(signed_in, user):
    long = "x" * 40
    MeditationSessionFactory(user=user, intention=f"{long}yes")
    MeditationSessionFactory(user=user, intention=f"{long[:30]}no")
    assert hits(signed_in, long) == [f"{long}yes"]


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/journal/", 7), ("/journal/?q=intention+1", 9), ("/journal/?q=zzz", 6)],
)
def test_it_runs_a_constant_number_of_queries(
    signed_in, user, other_user, url, queries, django_assert_max_num_queries
):
    make_entries(user, 3)
    # The session and the user, the count, the page (with its names), and the session's
    # refresh (a savepoint, an UPDATE and its release); a search first reads each term's
    # count in the index (none: nothing more) and the candidates.
    with django_assert_max_num_queries(queries):
        few = signed_in.get(url)
    make_entries(user, 3000)
    make_entries(other_user, 100)
    with django_assert_max_num_queries(queries):
        many = signed_in.get(url)
    assert few.status_code == many.status_code == 200
    assert len(many.context["entries"]) <= 20
