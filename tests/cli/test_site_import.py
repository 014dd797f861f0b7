"""The log the command writes imports on the site, through the real /journal/import/ as a
signed-in person: plain and encrypted (with its key), its optional columns read, and a second
upload of the same log imports nothing twice."""

import datetime

import pytest

from aysekai_cli import session_log
from meditation.models import ImportJob, MeditationSession, Source
from tests.cli.helpers import decrypted_lines, log_rows
from tests.meditation.imports.helpers import upload

pytestmark = pytest.mark.django_db


def written_log(cli, log_dir, *options, input="my intention\na reflection\n"):
    result = cli("meditate", "--number", "1", "--minutes", "1", "--log-dir", log_dir, *options,
                 input=input)  # fmt: skip
    assert result.exit_code == 0, result.output
    return (log_dir / session_log.LOG_NAME).read_bytes()


def latest_job(user):
    return ImportJob.objects.filter(owner=user).latest("created_at")


def test_a_plain_log_imports_then_is_skipped(cli, log_dir, signed_in, user):
    data = written_log(cli, log_dir)
    _, [row] = log_rows(log_dir)
    upload(signed_in, data, name="sessions.log")
    job = latest_job(user)
    assert (job.imported, job.skipped, job.rejected) == (1, 0, 0), job.report
    entry = MeditationSession.objects.get(user=user)
    assert entry.intention == "my intention"
    assert entry.legacy_id == row[5]
    assert entry.source == Source.IMPORT
    assert entry.name.number == 1
    assert entry.reflection == "a reflection"
    assert entry.started_at == datetime.datetime.fromisoformat(row[0])
    assert entry.legacy_user == row[1]

    upload(signed_in, data, name="sessions.log")
    again = latest_job(user)
    assert again.pk != job.pk
    assert (again.imported, again.skipped, again.rejected) == (0, 1, 0)
    assert MeditationSession.objects.filter(user=user).count() == 1


def test_an_encrypted_log_imports_with_its_key_then_is_skipped(cli, log_dir, signed_in, user):
    data = written_log(cli, log_dir, "--encrypt")
    [entry] = decrypted_lines(log_dir)
    key = (log_dir / session_log.KEY_NAME).read_bytes()
    upload(signed_in, data, name="sessions.log", key=key)
    job = latest_job(user)
    assert (job.imported, job.skipped, job.rejected) == (1, 0, 0), job.report
    imported = MeditationSession.objects.get(user=user)
    assert imported.intention == "my intention"
    assert imported.legacy_id == entry["session_id"]
    assert imported.reflection == "a reflection"

    upload(signed_in, data, name="sessions.log", key=key)
    assert (latest_job(user).imported, latest_job(user).skipped) == (0, 1)
    assert MeditationSession.objects.filter(user=user).count() == 1


def test_every_kind_of_log_the_command_writes_imports(cli, log_dir, signed_in, user):
    """A new log, then more rows, some encrypted under its header, an old six-column log."""
    written_log(cli, log_dir)
    written_log(cli, log_dir, "--encrypt", input="under the header\n")
    data = written_log(cli, log_dir, input="plain again\n")
    upload(signed_in, data, name="sessions.log", key=(log_dir / ".key").read_bytes())
    assert latest_job(user).imported == 3, latest_job(user).report
    assert set(MeditationSession.objects.values_list("intention", flat=True)) == {
        "my intention", "under the header", "plain again"}  # fmt: skip


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
def test_the_time_and_the_count_of_a_sitting_at_a_terminal_import(
    log_dir, signed_in, user, encrypt
):
    entry = session_log.new_entry(
        prompt="timed",
        number=99,
        transliteration="Aṣ-Ṣabūr",
        started_at=datetime.datetime(2024, 5, 1, 6, 0, tzinfo=datetime.UTC),
        reflection="steady\nand warm",
        seconds=600,
        dhikr_count=33,
    )
    session_log.append(log_dir, entry, encrypt)
    key = (log_dir / ".key").read_bytes() if encrypt else None
    upload(signed_in, (log_dir / "sessions.log").read_bytes(), name="sessions.log", key=key)
    imported = MeditationSession.objects.get(user=user)
    assert (imported.actual_seconds, imported.dhikr_count) == (600, 33)
    assert imported.reflection == "steady\nand warm"
    assert imported.ended_at - imported.started_at == datetime.timedelta(seconds=600)
    assert imported.legacy_id == entry.session_id
