"""Uploading a session log through /journal/import/: the page, the rows, refused files."""

import datetime
import json
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent
from meditation.imports import runner
from meditation.imports import upload as upload_checks
from meditation.models import ExportJob, ImportJob, JobStatus, MeditationSession, Source
from tests.factories import ImportJobFactory, MeditationSessionFactory
from tests.meditation.helpers import committed
from tests.meditation.imports.helpers import (
    COLUMNS,
    SECRET,
    URL,
    encrypted_log,
    log,
    only_job,
    page_queries,
    reasons,
    row,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


class TestAccess:
    def test_it_sends_anonymous_visitors_to_sign_in(self, client):
        assert client.get(URL)["Location"] == f"/accounts/login/?next={URL}"
        response = client.post(URL, {"file": SimpleUploadedFile("a.csv", log(row()))})
        assert response.status_code == 302
        assert not ImportJob.objects.exists()

    def test_it_answers_a_wrong_method_with_405(self, signed_in, user):
        assert signed_in.put(URL).status_code == 405
        job = ImportJobFactory(owner=user)
        assert signed_in.post(f"{URL}{job.pk}/").status_code == 405

    def test_it_hides_another_users_report(self, signed_in, other_user):
        job = ImportJobFactory(owner=other_user, status=JobStatus.DONE)
        assert signed_in.get(f"{URL}{job.pk}/").status_code == 404
        assert signed_in.get(f"{URL}{uuid.uuid4()}/").status_code == 404

    def test_it_links_to_the_import_from_the_journal(self, signed_in):
        assert f'href="{URL}"' in signed_in.get("/journal/").content.decode()


class TestUploadPage:
    def test_it_explains_the_columns_and_the_limit(self, signed_in):
        page = signed_in.get(URL).content.decode()
        assert 'enctype="multipart/form-data"' in page
        assert ",".join(COLUMNS) in page
        assert "5.0\xa0MB" in page
        assert 'type="file"' in page

    def test_it_lists_the_users_own_jobs_newest_first_at_most_20(
        self, signed_in, user, other_user, django_assert_max_num_queries
    ):
        now = timezone.now()
        for n in range(25):
            ImportJobFactory(
                owner=user,
                original_name=f"log{n}.csv",
                created_at=now - datetime.timedelta(hours=n),
            )
        theirs = ImportJobFactory(owner=other_user, original_name="theirs.csv")
        with django_assert_max_num_queries(6):
            response = signed_in.get(URL)
        jobs = list(response.context["jobs"])
        assert [j.original_name for j in jobs[:2]] == ["log0.csv", "log1.csv"]
        assert len(jobs) == 20
        page = response.content.decode()
        assert f"{URL}{jobs[0].pk}/" in page
        assert "theirs.csv" not in page
        assert str(theirs.pk) not in page

    def test_it_lists_many_past_jobs_in_as_many_queries_as_one(self, signed_in, user):
        ImportJobFactory(owner=user, status=JobStatus.DONE)
        few = page_queries(signed_in, URL)
        for status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.RUNNING, JobStatus.QUEUED):
            ImportJobFactory.create_batch(5, owner=user, status=status)
        many = page_queries(signed_in, URL)
        main = signed_in.get(URL).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        assert main.count(f'href="{URL}') == 20  # the page's own links, not the switcher's
        assert len(many) == len(few)


class TestHappyPath:
    def test_it_imports_a_small_file_in_the_request(self, signed_in, user, private_root):
        rows = [
            row(session_id="s-1", prompt=SECRET),
            row(
                session_id="s-2",
                timestamp="2023-12-31T23:00:00+02:00",
                name_number="85",
                name_transliteration="Dhu al-Jalal wa al-Ikram",
                user="",
            ),
        ]
        response = upload(signed_in, log(*rows))
        job = only_job()
        assert response["Location"] == f"{URL}{job.pk}/"
        assert job.status == JobStatus.DONE
        assert (job.imported, job.skipped, job.rejected, job.progress) == (2, 0, 0, 100)
        assert job.original_name == "sessions.csv"
        assert job.file == ""
        assert stored_files(private_root) == []

        page = signed_in.get(response["Location"]).content.decode()
        assert '<td id="imported">2</td>' in page
        assert '<td id="skipped">0</td>' in page
        assert "hx-trigger" not in page
        assert 'href="/journal/"' in page

        entries = MeditationSession.objects.filter(user=user).order_by("legacy_id")
        assert [e.source for e in entries] == [Source.IMPORT, Source.IMPORT]
        first, second = entries
        assert first.legacy_record() == {
            "timestamp": "2024-03-01T07:30:00.123456+00:00",
            "user": "amina",
            "prompt": SECRET,
            "name_number": 1,
            "name_transliteration": "Ar-Raḥmān",
            "session_id": "s-1",
        }
        assert (first.planned_seconds, first.actual_seconds) == (0, 0)
        assert first.started_at == first.ended_at
        assert second.started_at == datetime.datetime(2023, 12, 31, 21, tzinfo=datetime.UTC)
        assert second.name.number == 85
        assert second.legacy_record()["user"] == user.email  # no legacy user given

    def test_it_shows_the_imported_entries_in_the_journal(self, signed_in):
        upload(signed_in, log(row(prompt=SECRET)))
        assert SECRET in signed_in.get("/journal/").content.decode()

    def test_it_says_time_not_recorded_for_imported_entries(self, signed_in, user):
        upload(signed_in, log(row(prompt="imported")))
        MeditationSessionFactory(user=user, intention="sat here", planned_seconds=900)
        imported = MeditationSession.objects.get(source=Source.IMPORT)
        journal = signed_in.get("/journal/").content.decode()
        assert journal.count("time not recorded") == 1
        assert "10 minutes · 33 dhikr" in journal
        page = signed_in.get(f"/journal/{imported.pk}/").content.decode()
        assert "<dt>Time</dt><dd>not recorded</dd>" in page
        assert "0 of 0 minutes" not in page
        with committed():
            signed_in.post("/exports/", {"format": "md"})
        response = signed_in.get(f"/exports/{ExportJob.objects.get().pk}/download/")
        markdown = b"".join(response.streaming_content).decode()
        assert markdown.count("- Time: not recorded\n") == 1
        assert "- Time: 10 of 15 minutes\n" in markdown

    def test_it_accepts_a_bom_crlf_extra_and_reordered_columns(self, signed_in, user):
        header = ["session_id", "extra", *reversed(COLUMNS[:-1])]
        text = log(row(session_id="a", extra="x"), header=header).decode()
        data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
        upload(signed_in, data)
        job = only_job()
        assert (job.status, job.imported) == (JobStatus.DONE, 1)
        assert MeditationSession.objects.get(user=user).legacy_id == "a"

    @pytest.mark.parametrize(
        "transliteration", ["Ar-Rahman", "ArRahman", "ar rahman", "AR-RAḤMĀN", "Ar-Raḥmān", ""]
    )
    def test_it_accepts_the_transliteration_folded_or_empty(self, signed_in, transliteration):
        upload(signed_in, log(row(name_transliteration=transliteration)))
        assert only_job().imported == 1

    def test_it_cleans_the_prompt(self, signed_in, user):
        upload(signed_in, log(row(prompt="<b>calm</b>\x07  heart")))
        assert MeditationSession.objects.get(user=user).intention == "calm heart"

    def test_it_audits_the_import_without_the_logs_text(self, signed_in, user):
        bad = row(prompt=SECRET, name_number="0")
        upload(signed_in, log(row(prompt=SECRET), bad, row(prompt=SECRET, session_id="")))
        job = only_job()
        event = AuditEvent.objects.get(action="import_requested")
        assert event.actor == user
        assert event.target_id == str(job.pk)
        assert event.metadata["rows"] == 3
        assert event.metadata["imported"] == 1
        assert SECRET not in json.dumps(event.metadata)
        assert "patience" not in json.dumps(job.report)
        assert "longing" not in json.dumps(job.report) + job.error


class TestDuplicates:
    def test_it_skips_a_session_already_in_the_journal(self, signed_in, user, other_user):
        MeditationSessionFactory(user=user, legacy_id="old")
        MeditationSessionFactory(user=other_user, legacy_id="theirs")
        upload(signed_in, log(row(session_id="old"), row(session_id="theirs")))
        job = only_job()
        assert (job.imported, job.skipped) == (1, 1)
        assert job.report == [{"row": 2, "outcome": "skipped", "reason": "already imported"}]
        assert MeditationSession.objects.filter(user=user, legacy_id="old").count() == 1

    def test_it_skips_a_session_repeated_in_the_same_file(self, signed_in, user):
        upload(signed_in, log(row(session_id="x"), row(session_id="y"), row(session_id="x")))
        job = only_job()
        assert (job.imported, job.skipped, job.rejected) == (2, 1, 0)
        assert job.report == [{"row": 4, "outcome": "skipped", "reason": "duplicate of row 2"}]
        page = signed_in.get(f"{URL}{job.pk}/").content.decode()
        assert "duplicate of row 2" in page

    def test_it_imports_a_repeat_of_a_rejected_row(self, signed_in, user):
        upload(signed_in, log(row(session_id="x", name_number="0"), row(session_id="x")))
        job = only_job()
        assert (job.imported, job.rejected, job.skipped) == (1, 1, 0)

    def test_it_skips_everything_when_the_same_log_is_uploaded_again(self, signed_in, user):
        data = log(row(), row(), row())
        upload(signed_in, data)
        upload(signed_in, data)
        second = ImportJob.objects.order_by("-created_at").first()
        assert (second.imported, second.skipped) == (0, 3)
        assert MeditationSession.objects.filter(user=user).count() == 3


FUTURE = (timezone.now() + datetime.timedelta(days=30)).isoformat()  # future for the whole run


class TestBadRows:
    @pytest.mark.parametrize(
        ("fields", "column"),
        [
            ({"timestamp": "yesterday"}, "timestamp"),
            ({"timestamp": ""}, "timestamp"),
            ({"timestamp": FUTURE}, "timestamp"),
            ({"timestamp": "1999-12-31T23:59:59"}, "timestamp"),
            ({"user": "u" * 101}, "user"),
            ({"prompt": ""}, "prompt"),
            ({"prompt": "<p> </p>"}, "prompt"),
            ({"prompt": "x" * 501}, "prompt"),
            ({"name_number": "0"}, "name_number"),
            ({"name_number": "100"}, "name_number"),
            ({"name_number": "one"}, "name_number"),
            ({"name_number": ""}, "name_number"),
            ({"name_transliteration": "Al-Malik"}, "name_transliteration"),
            ({"session_id": ""}, "session_id"),
            ({"session_id": "s" * 65}, "session_id"),
        ],
    )
    def test_it_rejects_a_bad_row_naming_the_column(self, signed_in, user, fields, column):
        upload(signed_in, log(row(), row(**fields), row()))
        job = only_job()
        assert (job.status, job.imported, job.rejected, job.skipped) == (JobStatus.DONE, 2, 1, 0)
        assert job.report[0]["row"] == 3
        assert job.report[0]["outcome"] == "rejected"
        assert column in job.report[0]["reason"]
        assert MeditationSession.objects.filter(user=user).count() == 2
        page = signed_in.get(f"{URL}{job.pk}/").content.decode()
        assert '<td id="rejected">1</td>' in page
        assert '<th scope="row">3</th>' in page

    def test_it_accepts_the_limits(self, signed_in):
        edge = row(user="u" * 100, prompt="p" * 500, session_id="s" * 64, name_number="99")
        edge["name_transliteration"] = "As-Sabur"
        now = row(timestamp=timezone.now().isoformat(), name_transliteration="")
        upload(signed_in, log(edge, now, row(timestamp="2000-01-01T00:00:00Z")))
        assert only_job().imported == 3

    def test_it_names_every_problem_of_a_row(self, signed_in):
        upload(signed_in, log(row(timestamp="x", name_number="0", prompt="")))
        reason = only_job().report[0]["reason"]
        assert "timestamp" in reason
        assert "name_number" in reason
        assert "prompt" in reason

    def test_it_rejects_rows_with_too_few_or_too_many_fields(self, signed_in):
        good = log(row(session_id="ok")).decode()
        data = good + "2024-03-01T07:30:00,amina,short\n" + "a,b,c,1,,d,extra\n"
        upload(signed_in, data.encode())
        job = only_job()
        assert (job.imported, job.rejected) == (1, 2)
        found = reasons(job)
        assert "name_number" in found[3]
        assert "session_id" in found[3]
        assert "fields" in found[4]

    def test_it_rejects_an_encrypted_line_inside_a_plain_log(self, signed_in):
        token = Fernet(Fernet.generate_key()).encrypt(b'{"prompt": "x"}').hex()
        upload(signed_in, log(row()) + token.encode() + b"\n")
        job = only_job()
        assert (job.imported, job.rejected) == (1, 1)
        assert "encrypted" in reasons(job)[3]

    def test_it_counts_the_header_as_row_one_and_ignores_blank_lines(self, signed_in):
        data = log(row()) + b"\n" + log(row(name_number="x"))[len(log()) :]
        upload(signed_in, data)
        assert list(reasons(only_job())) == [4]

    def test_it_caps_the_stored_report_but_not_the_counts(self, signed_in, monkeypatch):
        monkeypatch.setattr(runner, "REPORT_MAX", 2)
        upload(signed_in, log(*[row(name_number="0") for _ in range(3)]))
        job = only_job()
        assert job.rejected == 3
        assert len(job.report) == 2
        assert "The first 2 of 3 are listed" in signed_in.get(f"{URL}{job.pk}/").content.decode()

    def test_it_fails_clearly_on_malformed_csv(self, signed_in, settings, private_root):
        big = row(prompt="x" * 140_000)
        upload(signed_in, log(row(), big))
        job = only_job()
        assert job.status == JobStatus.FAILED
        assert "near row 3" in job.error
        assert not MeditationSession.objects.exists()
        assert stored_files(private_root) == []


class TestRefusedFiles:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG image"),
            (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP archive"),
            (log(row()) + b"\x00\x01\x02", "not a text file"),
            (log(row(prompt="café")).decode().encode("latin-1"), "not UTF-8"),
            (b"", "The file is empty"),
            (b"  \r\n\n", "The file is empty"),
            (log(header=COLUMNS), "no sessions"),
            (
                log(row(), header=["timestamp", "user", "name_number", "name_transliteration"]),
                "lacks the columns prompt, session_id",
            ),
            (b"date,text\n2024-01-01,x\n", "timestamp, user, prompt"),
            (encrypted_log(), "encrypted"),
        ],
        ids=[
            "png", "zip", "nul", "latin1", "empty", "blank", "header-only",
            "missing-columns", "other-csv", "encrypted",
        ],
    )  # fmt: skip
    def test_it_refuses_the_file_and_creates_no_job(self, signed_in, private_root, data, message):
        response = upload(signed_in, data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["form"].errors["file"]
        assert not ImportJob.objects.exists()
        assert stored_files(private_root) == []
        assert not AuditEvent.objects.filter(action="import_requested").exists()

    def test_it_asks_for_the_key_file_of_an_encrypted_log(self, signed_in):
        (error,) = upload(signed_in, encrypted_log()).context["form"].errors["file"]
        assert error == upload_checks.ENCRYPTED_ERROR
        assert "key file" in error
        assert ".key" in error

    def test_it_asks_for_a_file(self, signed_in):
        response = signed_in.post(URL, {})
        assert "Choose the session log file" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_it_refuses_a_file_over_the_limit(self, signed_in, settings):
        settings.IMPORT_MAX_BYTES = 1000
        data = log(*[row() for _ in range(20)])
        assert len(data) > 1000
        response = upload(signed_in, data)
        assert "the limit is 1000" in response.content.decode()
        assert not ImportJob.objects.exists()
