"""A ZIP export reads the journal once, keeps its later members deflated and encrypted while it
writes them, holds the same memory and asks the database the same few questions whatever the
size of the journal, and holds exactly the three files the other formats give (and the JSON's
learning object alone, `learning.json`)."""

import datetime
import io
import json
import tempfile
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meditation import crypto, jobs, private_files
from meditation.exports import deflated, journal, tasks
from meditation.models import ExportJob, Source
from tests.factories import ExportJobFactory, make_entries
from tests.meditation.exports.helpers import make_learning, traced_peak
from tests.meditation.exports.test_deflated import as_zipfile_writes
from tests.meditation.imports.helpers import log, row, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_backend")]


def journal_reads(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and "meditation_meditationsession" in q["sql"]
    ]


def build(owner, fmt):
    job = ExportJobFactory(owner=owner, format=fmt)
    with CaptureQueriesContext(connection) as context:
        assert tasks.build_export(str(job.pk)) == "done"
    job.refresh_from_db()
    return job, context.captured_queries


def test_a_zip_reads_each_entry_once_as_a_csv_does(user):
    make_entries(user, journal.PAGE_SIZE + 10)  # two pages
    _, csv_queries = build(user, ExportJob.Format.CSV)
    job, zip_queries = build(user, ExportJob.Format.ZIP)
    assert len(journal_reads(zip_queries)) == len(journal_reads(csv_queries)) == 3  # count, 2 pages
    archive = zipfile.ZipFile(io.BytesIO(private_files.open_plain(job.file).read()))
    assert job.rows == journal.PAGE_SIZE + 10
    for member in ("journal.csv", "journal.json", "journal.md"):
        assert "intention 7" in archive.read(member).decode()


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "zip"])
def test_the_queries_do_not_grow_with_the_journal(user, other_user, fmt, monkeypatch, settings):
    # Progress is written by the clock (jobs.Progress): none of it here, however slow the run.
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 3600)
    settings.JOB_HEARTBEAT_SECONDS = 3600
    make_entries(user, 3)
    make_entries(other_user, journal.PAGE_SIZE - 1)  # still one page
    make_learning(user, cards=1, reviews=1)
    make_learning(other_user, cards=297, reviews=4)  # learning's reads: chunks of one cursor
    _, few = build(user, fmt)
    _, many = build(other_user, fmt)
    assert len(few) == len(many)
    assert "meditation_divinename" not in " ".join(journal_reads(many))  # no join: a dict


def test_the_members_waiting_for_their_turn_are_kept_deflated_and_encrypted(
    user, monkeypatch, tmp_path
):
    make_entries(user, 50)
    make_learning(user, cards=30, reviews=5)
    kept = []

    def visible_temporary():
        spool = tempfile.NamedTemporaryFile(dir=tmp_path, delete=False)  # noqa: SIM115
        kept.append(spool.name)
        return spool

    monkeypatch.setattr(private_files.tempfile, "TemporaryFile", visible_temporary)
    job, _ = build(user, ExportJob.Format.ZIP)
    archive = zipfile.ZipFile(io.BytesIO(private_files.open_plain(job.file).read()))
    # The JSON, the Markdown and the learning, while the CSV is written.
    assert len(kept) == 3
    for name, member in zip(kept[:2], ("journal.json", "journal.md"), strict=True):
        with open(name, "rb") as raw:
            stored = raw.read()
        assert stored.startswith(crypto.HEAD)
        assert b"intention" not in stored
        assert b"Aysekai journal" not in stored
        # Deflated before it was sealed: not the member's plaintext, sealed.
        size = len(stored)
        assert size < archive.getinfo(member).file_size / 2
    with open(kept[2], "rb") as raw:
        stored = raw.read()
    assert stored.startswith(crypto.HEAD)
    assert b"name_transliteration" not in stored
    assert len(stored) < archive.getinfo("learning.json").file_size / 2


def test_a_zip_holds_the_other_three_exports_byte_for_byte(signed_in, user, monkeypatch):
    """Imported entries too: the old tool's log goes in through the import page, and comes out
    in every member as the CSV, JSON and Markdown exports give it."""
    upload(signed_in, log(row(session_id="old-1", prompt="sabr — صبر, *bold*"), row()))
    assert user.meditation_sessions.filter(source=Source.IMPORT).count() == 2
    make_entries(user, journal.PAGE_SIZE + 10)  # two pages
    make_learning(user, cards=20, reviews=3)
    now = datetime.datetime(2026, 11, 23, 18, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    alone = {}
    for fmt, member in (("csv", "journal.csv"), ("json", "journal.json"), ("md", "journal.md")):
        job, _ = build(user, fmt)
        alone[member] = private_files.open_plain(job.file).read()
    job, _ = build(user, ExportJob.Format.ZIP)
    zipped = private_files.open_plain(job.file).read()
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    learning = archive.read("learning.json")
    assert {name: archive.read(name) for name in archive.namelist()[:3]} == alone
    assert json.loads(learning) == json.loads(alone["journal.json"])["learning"]
    assert "old-1" in alone["journal.csv"].decode("utf-8-sig")
    assert '"legacy_session_id": "old-1"' in alone["journal.json"].decode()
    assert "sabr — صبر, \\*bold\\*" in alone["journal.md"].decode()
    assert zipped == as_zipfile_writes(zipped)


def test_a_zip_takes_no_more_memory_for_a_longer_journal(user, other_user, monkeypatch):
    """Memory traced while building: a short journal's and one two and a half times as long,
    each past the sizes where what is held stops growing (a page of rows, a batch of each
    writer's text, a block of each member before it is deflated, a chunk of each sealed file
    before its frame is written). The peak still rises by about 100 KB between 1,500 entries
    and 2,000, then stays (2,000 and 5,000 differ by 20 KB): the short journal is past that."""
    monkeypatch.setattr(journal, "PAGE_SIZE", 100)
    monkeypatch.setattr(crypto, "CHUNK", 4096)
    monkeypatch.setattr(deflated, "BLOCK", 4096)
    # Progress written at every percent, for both: a write's passing allocations would
    # otherwise be seen only in the export that lasts longer than the interval.
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    make_entries(user, 2000)
    make_entries(other_user, 5000)
    traced_peak(user, ExportJob.Format.ZIP)  # first-use caches, out of the comparison
    short, long = traced_peak(user, "zip"), traced_peak(other_user, "zip")
    # The waiting members held in memory would be more: deflated, about 250 KB more here; as
    # text, 2 MB.
    assert long < short + 100 * 1024
