"""The export format, byte for byte, for a fixed journal (docs/export-format.md).

The expected files in `pinned/` were written by the exporter before it was made faster; a
change to any byte of CSV, JSON or Markdown output is a change of format, and must be one on
purpose (regenerate them with PIN_EXPORTS=1 and say so in docs/export-format.md).
"""

import datetime
import io
import json
import os
import uuid
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone, translation

from meditation import private_files
from meditation.exports import tasks
from meditation.models import (
    DivineName,
    ExportJob,
    LearningCard,
    LearningPreferences,
    LearningReview,
    MeditationSession,
    Rating,
    Source,
)
from tests.factories import ExportJobFactory, UserFactory
from tests.meditation.exports.test_deflated import as_zipfile_writes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_backend")]

PINNED = Path(__file__).parent / "pinned"
NOW = datetime.datetime(2026, 11, 23, 18, 0, tzinfo=datetime.UTC)


def at(day, hour, minute=0):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture
def journal():
    """Every kind of entry the writers treat differently."""
    owner = UserFactory(
        email="pinned@example.com", display_name="Pin <ned>", time_zone="Europe/Istanbul"
    )
    owner.date_joined = at(1, 9)
    owner.save()
    names = {n.number: n for n in DivineName.objects.filter(number__in=[1, 2, 33, 99])}
    entries = [
        # finished, with mood, dhikr and a reflection over two lines
        {"name": names[1], "intention": "Mercy *for* [all]", "reflection": "line one\nline two",
             "mood": "calm", "planned_seconds": 600, "actual_seconds": 570, "dhikr_count": 33,
             "started_at": at(20, 6), "ended_at": at(20, 6, 10)},
        # not finished
        {"name": names[2], "intention": "unfinished", "planned_seconds": 300,
             "started_at": at(20, 7)},
        # formula-looking cells, in the trash
        {"name": names[33], "intention": "=SUM(A1)", "reflection": "+1 -2 @x", "mood": "grateful",
             "planned_seconds": 900, "actual_seconds": 905, "started_at": at(21, 22, 30),
             "ended_at": at(21, 22, 45), "deleted_at": at(22, 8)},
        # imported from the old tool: no time recorded, a legacy id
        {"name": names[99], "intention": "Ṣabr — صبر, \"quoted\", and, commas",
             "planned_seconds": 0, "actual_seconds": 0, "source": Source.IMPORT,
             "legacy_id": "old-42", "legacy_user": "ayse",
             "started_at": at(22, 23, 59), "ended_at": at(22, 23, 59)},
        # every character Markdown would read as markup, and JSON's escapes
        {"name": names[2], "intention": "\\ ` * _ { } [ ] < > # + - ! | end",
         "reflection": "tab\there \"q\" back\\slash \u2028 \x1f", "planned_seconds": 60,
         "actual_seconds": 60, "legacy_id": "+7", "started_at": at(23, 1),
         "ended_at": at(23, 1, 1)},
        # same start as the previous one: ordered by id after the start
        {"name": names[1], "intention": "tab\tinside", "reflection": "\ttab first", "mood": "",
             "planned_seconds": 600, "actual_seconds": 29, "dhikr_count": 0, "dhikr_target": 100,
             "started_at": at(22, 23, 59), "ended_at": at(23, 0, 9)},
    ]  # fmt: skip
    for n, fields in enumerate(entries):
        MeditationSession.objects.create(
            id=uuid.UUID(int=n + 1 if n != 3 else 99), user=owner, **fields
        )
    learning(owner, names)
    return owner


def learning(owner, names):
    """Cards in each state (one never answered: nulls), a time with a fraction, a stability
    that is a whole number, reviews of every rating made out of order (two at the same time),
    one on a local date that is not the UTC date; and another person's, which never appears."""
    LearningPreferences.objects.create(user=owner, directions=["meaning", "arabic"], new_per_day=3)
    day = datetime.date
    relearning = LearningCard.objects.create(
        user=owner, name=names[33], direction="arabic", state=3, step=0, stability=2.0,
        difficulty=7.123456789, due=at(23, 9, 10), last_review=at(23, 9),
        introduced_on=day(2026, 11, 21), reviews=2, lapses=1,
    )  # fmt: skip
    review = LearningCard.objects.create(
        user=owner, name=names[1], direction="meaning", state=2, step=None, stability=12.5,
        difficulty=4.25, due=at(30, 6), last_review=at(20, 6, 30).replace(microsecond=250000),
        introduced_on=day(2026, 11, 19), reviews=3, lapses=0,
    )  # fmt: skip
    LearningCard.objects.create(
        user=owner, name=names[99], direction="meaning", due=at(23, 12),
        introduced_on=day(2026, 11, 23), step=0,
    )  # fmt: skip
    LearningCard.objects.create(
        user=owner, name=names[1], direction="arabic", state=1, step=1, stability=0.4,
        difficulty=5.0, due=at(23, 17, 1), last_review=at(23, 16, 51),
        introduced_on=day(2026, 11, 23), reviews=1, lapses=0,
    )  # fmt: skip
    reviews = [
        (relearning, Rating.AGAIN, at(23, 9), day(2026, 11, 23)),
        (review, Rating.EASY, at(20, 6, 30).replace(microsecond=250000), day(2026, 11, 20)),
        (review, Rating.GOOD, at(19, 22, 0), day(2026, 11, 20)),  # 01:00 in Istanbul
        (relearning, Rating.GOOD, at(21, 8), day(2026, 11, 21)),
        (review, Rating.HARD, at(19, 8), day(2026, 11, 19)),
        (relearning, Rating.HARD, at(21, 8), day(2026, 11, 21)),  # the same time: by id
    ]
    for card, rating, reviewed_at, local_date in reviews:
        LearningReview.objects.create(
            card=card, user=owner, rating=rating, reviewed_at=reviewed_at, local_date=local_date
        )
    someone = UserFactory()
    theirs = LearningCard.objects.create(
        user=someone, name=names[2], direction="order", due=at(23, 12),
        introduced_on=day(2026, 11, 23),
    )  # fmt: skip
    LearningReview.objects.create(
        card=theirs, user=someone, rating=Rating.GOOD, reviewed_at=at(23, 12),
        local_date=day(2026, 11, 23),
    )  # fmt: skip
    LearningPreferences.objects.create(user=someone, directions=["order"], new_per_day=50)


def build(owner, fmt, monkeypatch, **range_):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    job = ExportJobFactory(owner=owner, format=fmt, **range_)
    assert tasks.build_export(str(job.pk)) == "done"
    job.refresh_from_db()
    return private_files.open_plain(job.file).read()


def expect(name, output):
    path = PINNED / name
    if os.environ.get("PIN_EXPORTS"):
        path.write_bytes(output)
    assert output == path.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "member"),
    [
        (ExportJob.Format.CSV, "journal.csv"),
        (ExportJob.Format.JSON, "journal.json"),
        (ExportJob.Format.MARKDOWN, "journal.md"),
    ],
)
def test_each_format_is_byte_for_byte_as_documented(journal, monkeypatch, fmt, member):
    expect(member, build(journal, fmt, monkeypatch))


def test_the_zip_holds_the_same_three_files_in_order_then_the_learning(journal, monkeypatch):
    output = build(journal, ExportJob.Format.ZIP, monkeypatch)
    archive = zipfile.ZipFile(io.BytesIO(output))
    assert archive.namelist() == ["journal.csv", "journal.json", "journal.md", "learning.json"]
    for member in archive.namelist()[:3]:
        assert archive.read(member) == (PINNED / member).read_bytes()
    # learning.json: the JSON's learning object alone.
    expect("learning.json", archive.read("learning.json"))
    learning = json.loads(archive.read("learning.json"))
    assert learning == json.loads(archive.read("journal.json"))["learning"]
    for member in archive.namelist():
        assert archive.getinfo(member).compress_type == zipfile.ZIP_DEFLATED
    # And the archive around their deflated data is, byte for byte, what zipfile writes.
    assert output == as_zipfile_writes(output)


def test_a_date_range_and_an_empty_journal_are_pinned_too(journal, monkeypatch):
    """No session in the range; the learning is there all the same (the range never applies
    to it: exports/learning.py), and the CSV and Markdown have none of it."""
    first = datetime.date(2026, 11, 30)
    for fmt in ("csv", "json", "md"):
        output = build(journal, fmt, monkeypatch, date_from=first, date_to=None)
        expect(f"empty.{fmt}", output)


def test_the_markdown_speaks_the_persons_language_and_the_data_formats_do_not(journal, monkeypatch):
    """A Turkish person's Markdown is in Turkish (its headings, moods, times); the CSV and
    the JSON, data formats, are byte for byte the English ones (issue 17)."""
    journal.language = "tr"
    journal.save(update_fields=["language"])
    markdown = build(journal, ExportJob.Format.MARKDOWN, monkeypatch).decode()
    with translation.override("tr"):
        for words in ("Aysekai journal", "Intention.", "Time", "Dhikr"):
            assert translation.gettext(words) in markdown
            assert translation.gettext(words) != words
    assert "Intention." not in markdown
    for fmt, member in (
        (ExportJob.Format.CSV, "journal.csv"),
        (ExportJob.Format.JSON, "journal.json"),
    ):
        assert build(journal, fmt, monkeypatch) == (PINNED / member).read_bytes()
