"""A person's learning of the names in the JSON and ZIP exports (issue 15): their cards, every
review and their preferences, nobody else's; empty lists and the defaults when there is
nothing, with no row made; the whole of it whatever the date range; the same few queries and
the same memory however much there is; never in the CSV or the Markdown; encrypted at rest."""

import datetime
import io
import json
import sqlite3
import zipfile

import fsrs
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meditation import crypto, jobs, private_files
from meditation.exports import learning, tasks
from meditation.learn import cards
from meditation.models import (
    Direction,
    DivineName,
    ExportJob,
    LearningCard,
    LearningPreferences,
    LearningReview,
    Rating,
)
from tests.factories import ExportJobFactory, make_entries
from tests.private_storage import local_path

from .helpers import download, make_learning, request_export, traced_peak

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def build(owner, fmt="json", **fields):
    job = ExportJobFactory(owner=owner, format=fmt, **fields)
    with CaptureQueriesContext(connection) as context:
        assert tasks.build_export(str(job.pk)) == "done"
    job.refresh_from_db()
    return private_files.open_plain(job.file).read(), context.captured_queries


def exported_learning(owner, fmt="json", **fields):
    """The learning object of the owner's export: the JSON's, or the ZIP's learning.json (which
    must be its journal.json's)."""
    output, _ = build(owner, fmt, **fields)
    if fmt == "json":
        return json.loads(output)["learning"]
    archive = zipfile.ZipFile(io.BytesIO(output))
    alone = json.loads(archive.read("learning.json"))
    assert alone == json.loads(archive.read("journal.json"))["learning"]
    return alone


def reviewed(user, number, direction, ratings, start=NOW):
    """A card of `user` reviewed by the real schedule (`learn.cards.review`), once a day."""
    name = DivineName.objects.get(number=number)
    card = LearningCard.objects.create(
        user=user, name=name, direction=direction, due=start, introduced_on=start.date()
    )
    for day, rating in enumerate(ratings):
        at = start + datetime.timedelta(days=day)
        cards.review(card, rating, at.date(), at)
        card.refresh_from_db()
    return card


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_it_exports_the_persons_cards_reviews_and_preferences(user, other_user, fmt):
    LearningPreferences.objects.create(user=user, directions=["order"], new_per_day=7)
    card = reviewed(user, 5, Direction.ORDER, [Rating.GOOD, Rating.AGAIN, Rating.EASY])
    first = reviewed(user, 2, Direction.MEANING, [Rating.HARD], start=NOW - datetime.timedelta(1))
    # Someone else's: never in this export.
    LearningPreferences.objects.create(user=other_user, directions=["arabic"], new_per_day=50)
    reviewed(other_user, 99, Direction.ARABIC, [Rating.GOOD, Rating.GOOD])

    exported = exported_learning(user, fmt)

    assert exported["preferences"] == {"directions": ["order"], "new_per_day": 7}
    assert [(c["name_number"], c["direction"]) for c in exported["cards"]] == [
        (2, "meaning"), (5, "order"),
    ]  # fmt: skip
    assert exported["cards"][1] == {
        "name_number": 5,
        "name_transliteration": "As-Salām",
        "direction": "order",
        "state": fsrs.State(card.state).name.lower(),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due.isoformat(),
        "last_review": card.last_review.isoformat(),
        "introduced_on": card.introduced_on.isoformat(),
        "reviews": 3,
        "lapses": 1,
    }
    assert exported["cards"][0]["state"] == fsrs.State(first.state).name.lower()
    # By the time they were made: the card of name 2 was reviewed a day before the other.
    assert exported["reviews"] == [
        {"name_number": 2, "direction": "meaning", "rating": "hard",
         "reviewed_at": (NOW - datetime.timedelta(1)).isoformat(), "local_date": "2026-12-01"},
        {"name_number": 5, "direction": "order", "rating": "good",
         "reviewed_at": NOW.isoformat(), "local_date": "2026-12-02"},
        {"name_number": 5, "direction": "order", "rating": "again",
         "reviewed_at": (NOW + datetime.timedelta(1)).isoformat(), "local_date": "2026-12-03"},
        {"name_number": 5, "direction": "order", "rating": "easy",
         "reviewed_at": (NOW + datetime.timedelta(2)).isoformat(), "local_date": "2026-12-04"},
    ]  # fmt: skip
    text = json.dumps(exported)
    assert "arabic" not in text
    assert '"name_number": 99' not in text


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_without_learning_it_writes_empty_lists_and_the_default_preferences(user, fmt):
    exported = exported_learning(user, fmt)
    defaults = LearningPreferences()
    assert exported == {
        "preferences": {"directions": defaults.directions, "new_per_day": defaults.new_per_day},
        "cards": [],
        "reviews": [],
    }
    assert defaults.directions == ["arabic", "meaning", "order"]
    assert defaults.new_per_day == 5
    assert not LearningPreferences.objects.exists()  # read, never made


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_the_export_writes_nothing_to_the_learning_tables(user, fmt):
    make_learning(user)
    _, queries = build(user, fmt)
    learning_queries = [q["sql"] for q in queries if "meditation_learning" in q["sql"]]
    assert len(learning_queries) == 3  # preferences, cards, reviews
    # SELECTs only (on Postgres `.iterator()` reads through a server-side cursor: DECLARE …
    # CURSOR FOR SELECT).
    writes = ("INSERT", "UPDATE", "DELETE")
    assert all("SELECT" in sql and not sql.lstrip().startswith(writes) for sql in learning_queries)


def test_the_date_range_chooses_sessions_never_learning(user):
    make_entries(user, 2)  # today and an hour before: outside the range
    make_learning(user, cards=2, reviews=2)
    output, _ = build(user, date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 1, 2))
    exported = json.loads(output)
    assert exported["sessions"] == []
    assert len(exported["learning"]["cards"]) == 2
    assert len(exported["learning"]["reviews"]) == 4


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_the_csv_and_the_markdown_hold_no_learning(user, fmt):
    make_learning(user)
    output, queries = build(user, fmt)
    assert not [q for q in queries if "meditation_learning" in q["sql"]]
    assert b"learning" not in output.lower()


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_the_queries_do_not_grow_with_the_learning(user, other_user, fmt, monkeypatch, settings):
    # Progress is written by the clock (jobs.Progress): none of it here, however slow the run.
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 3600)
    settings.JOB_HEARTBEAT_SECONDS = 3600
    make_learning(user, cards=1, reviews=1)
    # Every card a person can have (99 names, 3 directions), reviews in several chunks.
    make_learning(other_user, cards=297, reviews=5)
    LearningPreferences.objects.create(user=other_user)
    _, few = build(user, fmt)
    _, many = build(other_user, fmt)
    assert len(few) == len(many)
    many_learning = exported_learning(other_user, fmt)
    assert len(many_learning["cards"]) == 297
    assert len(many_learning["reviews"]) == 297 * 5 > 2 * learning.CHUNK_SIZE


def test_it_takes_no_more_memory_for_more_reviews(user, other_user, monkeypatch):
    """Memory traced while a JSON export is built: every card a person can have, with about a
    thousand reviews and twenty times as many (2.7 MB of JSON). Held at once are a chunk of
    rows and its lines, whatever the number of chunks; both are past a full chunk of cards."""
    monkeypatch.setattr(learning, "CHUNK_SIZE", 100)
    monkeypatch.setattr(crypto, "CHUNK", 4096)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    make_learning(user, cards=297, reviews=4)
    make_learning(other_user, cards=297, reviews=70)

    traced_peak(user, "json")  # first-use caches, out of the comparison
    short, long = traced_peak(user, "json"), traced_peak(other_user, "json")
    # Twenty thousand reviews held as their JSON lines would be 2.7 MB more.
    assert long < short + 50 * 1024


def test_each_card_and_review_is_one_line_as_json_dumps_writes_it(user):
    make_learning(user, cards=4, reviews=3)
    LearningCard.objects.filter(user=user).update(step=None, stability=None, last_review=None)
    card = LearningCard.objects.filter(user=user).first()
    LearningCard.objects.filter(pk=card.pk).update(state=3, step=1, stability=1e-05)
    output, _ = build(user)
    text = output.decode()
    lines = text[text.index('"learning": {') :].splitlines()
    rows = [line.strip().rstrip(",") for line in lines if line.strip().startswith("{")]
    assert len(rows) == 4 + 12
    for row in rows:
        assert json.dumps(json.loads(row), ensure_ascii=False) == row
    whole = json.loads(text)
    assert json.dumps(whole, ensure_ascii=False)  # and the file parses
    assert whole["learning"]["cards"][0]["stability"] == 1e-05


def test_the_words_are_fsrs_own():
    assert {int(s): s.name.lower() for s in fsrs.State} == learning.STATES
    assert {int(r): r.name.lower() for r in fsrs.Rating} == learning.RATINGS
    assert set(learning.RATINGS.values()) == {"again", "hard", "good", "easy"}


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_the_learning_is_encrypted_at_rest(signed_in, user, fmt):
    make_learning(user, cards=3, reviews=2)
    LearningPreferences.objects.create(user=user, directions=["meaning"], new_per_day=9)
    request_export(signed_in, fmt)
    job = ExportJob.objects.get()
    data = local_path(job.file).read_bytes()
    assert data.startswith(crypto.HEAD)
    for secret in ("name_transliteration", "Ar-Raḥmān", "reviewed_at", "new_per_day", "learning"):
        assert secret.encode() not in data
    assert not zipfile.is_zipfile(io.BytesIO(data))
    body, _ = download(signed_in, job)
    if fmt == "zip":
        body = zipfile.ZipFile(io.BytesIO(body)).read("learning.json")
        assert json.loads(body)["preferences"]["new_per_day"] == 9
    else:
        assert json.loads(body)["learning"]["preferences"]["new_per_day"] == 9


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_learning_while_another_process_writes(user, monkeypatch):
    """The learning is read through one cursor: nothing of the export writes while it is open
    (on SQLite that write would fail once another process has committed)."""
    if connection.vendor != "sqlite":
        pytest.skip("the open-read conflict is SQLite's")
    call_command("load_names", verbosity=0)  # a transactional test may have flushed them
    make_entries(user, 600)
    make_learning(user, cards=30, reviews=40)
    monkeypatch.setattr(learning, "CHUNK_SIZE", 100)
    web = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
    original = learning._chunks

    def while_the_web_writes(rows):
        for chunk in original(rows):
            web.execute("UPDATE accounts_user SET last_login = CURRENT_TIMESTAMP")
            web.commit()
            yield chunk

    monkeypatch.setattr(learning, "_chunks", while_the_web_writes)
    try:
        output, _ = build(user, "zip")
    finally:
        web.close()
    archive = zipfile.ZipFile(io.BytesIO(output))
    assert len(json.loads(archive.read("learning.json"))["reviews"]) == 1200
    assert LearningReview.objects.filter(user=user).count() == 1200
