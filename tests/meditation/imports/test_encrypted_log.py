"""Uploading the tool's encrypted session log with its key file through /journal/import/."""

import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from accounts.models import AuditEvent
from meditation import private_files
from meditation.imports import encrypted_log
from meditation.models import ImportJob, JobStatus, MeditationSession, Source
from tests.meditation.imports.helpers import (
    SECRET,
    URL,
    log,
    only_job,
    reasons,
    row,
    stored_files,
    tool_entry,
    tool_log,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def key():
    return Fernet.generate_key()  # the tool wrote this to .key, as it is: no line end


def every_stored_text():
    """Every text and JSON column of every table, as one string."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (the tables' own names)
            texts.extend(str(value) for line in cursor.fetchall() for value in line)
    return "\n".join(texts)


class TestImport:
    def test_it_imports_the_log_the_tool_encrypted_with_its_key(
        self, signed_in, user, key, private_root
    ):
        entries = [
            tool_entry(session_id="s-1", prompt=SECRET),
            tool_entry(
                session_id="s-2", name_number=85, name_transliteration="Dhu al-Jalal wa al-Ikram"
            ),
        ]
        response = upload(signed_in, tool_log(key, *entries), name="sessions.log", key=key)
        job = only_job()
        assert response["Location"] == f"{URL}{job.pk}/"
        assert (job.status, job.imported, job.skipped, job.rejected) == (JobStatus.DONE, 2, 0, 0)
        assert (job.original_name, job.file) == ("sessions.log", "")
        first, second = MeditationSession.objects.filter(user=user).order_by("legacy_id")
        assert first.legacy_record() == {
            "timestamp": "2024-03-01T07:30:00.123456+00:00",
            "user": "amina",
            "prompt": SECRET,
            "name_number": 1,
            "name_transliteration": "Ar-Raḥmān",
            "session_id": "s-1",
        }
        assert (first.source, second.name.number) == (Source.IMPORT, 85)
        assert stored_files(private_root) == []
        page = signed_in.get(response["Location"]).content.decode()
        assert '<td id="imported">2</td>' in page

    def test_it_keeps_the_key_out_of_the_database_the_logs_and_the_pages(
        self, signed_in, key, caplog
    ):
        caplog.set_level(logging.DEBUG)
        data = tool_log(key, tool_entry(prompt=SECRET), tool_entry(name_number=0))
        response = upload(signed_in, data, key=key, follow=True)
        assert only_job().imported == 1
        secrets = (key.decode(), key.hex(), Fernet(key)._signing_key.hex())
        stored = every_stored_text()
        logged = "\n".join(
            f"{r.getMessage()} {r.__dict__}" for r in caplog.records
        )  # every field of every line, as a JSON formatter would write them
        for secret in secrets:
            assert secret not in stored
            assert secret not in logged
            assert secret not in response.content.decode()
        event = AuditEvent.objects.get(action="import_requested")
        assert event.metadata["encrypted"] is True
        assert event.metadata["background"] is False
        assert SECRET not in json.dumps(event.metadata) + json.dumps(only_job().report)

    @pytest.mark.parametrize(
        "written",
        [
            lambda k: k + b"\n",
            lambda k: k + b"\r\n",
            lambda k: b"  " + k + b" \t\n\n",
            lambda k: b"\xef\xbb\xbf" + k + b"\n",
        ],
        ids=["newline", "crlf", "spaces", "bom"],
    )
    def test_it_accepts_a_key_file_saved_with_spaces_or_a_line_end(self, signed_in, key, written):
        upload(signed_in, tool_log(key, tool_entry()), key=written(key))
        assert only_job().imported == 1

    def test_it_imports_a_large_encrypted_log_in_the_request_storing_nothing(
        self, signed_in, settings, key, private_root, monkeypatch
    ):
        settings.IMPORT_INLINE_MAX_BYTES = 100
        written = []
        real_write = private_files.atomic_write
        monkeypatch.setattr(
            private_files, "atomic_write", lambda name: written.append(name) or real_write(name)
        )
        data = tool_log(key, *[tool_entry() for _ in range(20)])
        assert len(data) > 100
        upload(signed_in, data, key=key)
        job = only_job()
        assert (job.status, job.imported) == (JobStatus.DONE, 20)
        assert written == []
        assert stored_files(private_root) == []
        assert AuditEvent.objects.get(action="import_requested").metadata["background"] is False

    def test_it_validates_deduplicates_and_is_idempotent_like_a_plain_log(
        self, signed_in, user, key
    ):
        data = tool_log(
            key,
            tool_entry(session_id="a"),
            tool_entry(session_id="b", name_number=100),
            tool_entry(session_id="a"),
            tool_entry(session_id="c", name_transliteration="Al-Malik"),
            tool_entry(session_id="d", prompt='quoted "calm",\nand\ta comma'),
        )
        upload(signed_in, data, key=key)
        job = only_job()
        assert (job.imported, job.skipped, job.rejected) == (2, 1, 2)
        found = reasons(job)
        assert "name_number" in found[2]
        assert found[3] == "duplicate of row 1"
        assert "name_transliteration" in found[4]
        entry = MeditationSession.objects.get(user=user, legacy_id="d")
        assert entry.intention == 'quoted "calm", and a comma'

        upload(signed_in, data, key=key)
        upload(signed_in, log(row(session_id="a"), row(session_id="d")))
        again, plain = ImportJob.objects.order_by("created_at")[1:]
        assert (again.imported, again.skipped, again.rejected) == (0, 3, 2)
        assert (plain.imported, plain.skipped) == (0, 2)
        assert MeditationSession.objects.filter(user=user).count() == 2

    def test_it_decrypts_the_encrypted_lines_of_a_log_begun_in_plain_text(self, signed_in, key):
        data = log(row(session_id="plain")) + tool_log(key, tool_entry(session_id="later"))
        upload(signed_in, data)
        first = only_job()
        assert (first.imported, first.rejected) == (1, 1)
        assert "key file" in reasons(first)[3]

        upload(signed_in, data, key=key)
        second = ImportJob.objects.exclude(pk=first.pk).get()
        assert (second.imported, second.skipped, second.rejected) == (1, 1, 0)


class TestBadLines:
    def test_it_rejects_each_line_that_does_not_decrypt_naming_its_row(self, signed_in, key):
        fernet = Fernet(key)
        good = tool_log(key, tool_entry(session_id="first"))
        lines = [
            good,
            tool_log(Fernet.generate_key(), tool_entry()),  # another log's line
            good[:-12] + b"\n",  # cut short: odd hex
            good[:-11] + b"\n",  # cut short: whole bytes, a broken token
            fernet.encrypt(b"not json").hex().encode() + b"\n",
            fernet.encrypt(b"[1, 2]").hex().encode() + b"\n",
            fernet.encrypt(json.dumps(tool_entry(prompt=["x"])).encode()).hex().encode() + b"\n",
            b"\n",
            tool_log(key, tool_entry(session_id="last")),
        ]
        response = upload(signed_in, b"".join(lines), key=key)
        assert response.status_code == 302
        job = only_job()
        assert (job.status, job.imported, job.rejected) == (JobStatus.DONE, 2, 6)
        found = reasons(job)
        assert found[2] == encrypted_log.NOT_DECRYPTED
        assert found[3] == encrypted_log.DAMAGED
        assert found[4] == encrypted_log.NOT_DECRYPTED
        assert found[5] == found[6] == found[7] == encrypted_log.NOT_A_SESSION
        assert set(found) == {2, 3, 4, 5, 6, 7}
        page = signed_in.get(f"{URL}{job.pk}/").content.decode()
        assert '<th scope="row">4</th>' in page
        assert "encrypted log (which has no header)" in page

    def test_it_rejects_a_plain_line_among_encrypted_ones_by_its_columns(self, signed_in, key):
        data = tool_log(key, tool_entry()) + b"2024-03-01T07:30:00,amina,short\n"
        upload(signed_in, data, key=key)
        job = only_job()
        assert (job.imported, job.rejected) == (1, 1)
        assert "session_id" in reasons(job)[2]


def refused(response, field):
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="import_requested").exists()
    (error,) = response.context["form"].errors[field]
    return error


class TestRefused:
    def test_it_refuses_a_key_that_does_not_fit_the_log(self, signed_in, key, private_root):
        other = Fernet.generate_key()
        response = upload(signed_in, tool_log(key, tool_entry(), tool_entry()), key=other)
        assert refused(response, "key") == encrypted_log.WRONG_KEY
        assert stored_files(private_root) == []
        assert other.decode() not in response.content.decode()

    @pytest.mark.parametrize(
        "content",
        [
            b"",
            b"not a key",
            Fernet.generate_key()[:-4],
            b"\xff\xfe\x00k\x00e\x00y",
            b"A" * 44,  # base64, but 33 bytes
            b"k" * 2000,
        ],
        ids=["empty", "text", "short", "binary", "wrong-length", "big"],
    )
    def test_it_refuses_a_file_that_is_not_a_key(self, signed_in, key, content):
        response = upload(signed_in, tool_log(key, tool_entry()), key=content)
        assert refused(response, "key") == encrypted_log.NOT_A_KEY

    def test_it_refuses_the_log_given_as_the_key(self, signed_in, key):
        data = tool_log(key, tool_entry())
        assert refused(upload(signed_in, data, key=data), "key") == encrypted_log.NOT_A_KEY

    def test_it_refuses_the_key_given_as_the_log(self, signed_in, key):
        for content in (key, key + b"\n"):
            assert refused(upload(signed_in, content), "file") == encrypted_log.KEY_NOT_LOG

    def test_it_refuses_an_encrypted_log_without_its_key(self, signed_in, key):
        error = refused(upload(signed_in, tool_log(key, tool_entry())), "file")
        assert ".key" in error

    def test_it_refuses_malformed_csv_after_the_header_with_a_key(self, signed_in, key):
        data = log(row(), row(prompt="x" * 140_000)) + tool_log(key, tool_entry())
        error = refused(upload(signed_in, data, key=key), "file")
        assert "near row 3" in error


class TestKeyNotNeeded:
    def test_it_ignores_a_key_given_with_a_plain_log_and_says_so(
        self, signed_in, settings, key, private_root
    ):
        settings.IMPORT_INLINE_MAX_BYTES = 100  # the plain log goes the usual way: the worker
        response = upload(signed_in, log(row(), row()), key=key, follow=True)
        job = only_job()
        assert (job.status, job.imported) == (JobStatus.DONE, 2)
        assert AuditEvent.objects.get(action="import_requested").metadata["background"] is True
        assert str(encrypted_log.KEY_NOT_NEEDED) in response.content.decode()
        assert stored_files(private_root) == []
