"""A ZIP export reads the journal once, keeps its later members encrypted while it writes
them, and asks the database the same few questions whatever the size of the journal."""

import io
import tempfile
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meditation import crypto, private_files
from meditation.exports import journal, tasks
from meditation.models import ExportJob
from tests.factories import ExportJobFactory, make_entries

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
def test_the_queries_do_not_grow_with_the_journal(user, other_user, fmt):
    make_entries(user, 3)
    make_entries(other_user, journal.PAGE_SIZE - 1)  # still one page
    _, few = build(user, fmt)
    _, many = build(other_user, fmt)
    assert len(few) == len(many)
    assert "meditation_divinename" not in " ".join(journal_reads(many))  # no join: a dict


def test_the_members_waiting_for_their_turn_are_kept_encrypted(user, monkeypatch, tmp_path):
    make_entries(user, 50)
    kept = []

    def visible_temporary():
        spool = tempfile.NamedTemporaryFile(dir=tmp_path, delete=False)  # noqa: SIM115
        kept.append(spool.name)
        return spool

    monkeypatch.setattr(private_files.tempfile, "TemporaryFile", visible_temporary)
    build(user, ExportJob.Format.ZIP)
    assert len(kept) == 2  # the JSON and the Markdown, while the CSV is written
    for name in kept:
        with open(name, "rb") as raw:
            stored = raw.read()
        assert stored.startswith(crypto.HEAD)
        assert b"intention" not in stored
        assert b"Aysekai journal" not in stored
