import csv
import datetime
import hashlib
import io
import json
import os
import stat
import zipfile
from importlib import import_module
from pathlib import Path

import pytest
import redis
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent
from meditation.exports import tasks
from meditation.models import DivineName, ExportJob, JobStatus, MeditationSession
from tests.factories import ExportJobFactory, MeditationSessionFactory
from tests.meditation.helpers import committed
from tests.private_storage import local_path

from .helpers import URL, download, export_files, request_export

pytestmark = pytest.mark.django_db


def unreachable(*args):
    raise OperationalError("Connection refused")


class TestRequest:
    def test_it_needs_sign_in(self, client):
        assert client.get(URL)["Location"] == "/accounts/login/?next=/exports/"

    def test_it_shows_the_empty_state(self, signed_in):
        assert "No exports yet" in signed_in.get(URL).content.decode()

    def test_it_builds_the_file_and_lists_it(self, signed_in, user, settings):
        MeditationSessionFactory(user=user, intention="first", reflection="quiet")
        response = request_export(signed_in)
        assert response["Location"] == URL
        job = ExportJob.objects.get()
        assert (job.owner, job.status, job.progress, job.rows) == (user, "done", 100, 1)
        assert job.size > 0
        assert len(job.sha256) == 64
        assert job.expires_at - job.finished_at == datetime.timedelta(days=7)
        page = signed_in.get(URL).content.decode()
        assert f"/exports/{job.pk}/download/" in page
        assert f"<summary>SHA-256 checksum</summary><code>{job.sha256}</code></details>" in page
        assert export_files(settings) == [f"{job.pk}.zip"]

    def test_it_keeps_files_private_outside_static_and_every_public_url(
        self, signed_in, client, user, settings
    ):
        # The site's own folders (this test's private files go to a temporary folder).
        site = import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        private = Path(site.PRIVATE_STORAGE_ROOT).resolve()
        public = [site.STATIC_ROOT, *site.STATICFILES_DIRS, getattr(site, "MEDIA_ROOT", "")]
        for folder in (Path(f).resolve() for f in public if f):
            assert not private.is_relative_to(folder), folder
            assert not folder.is_relative_to(private), folder
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        path = local_path(job.file)
        # Only this process's user can read the file, or even list its folder.
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        for prefix in ("/", "/static/", "/media/", "/private/", "/var/private/"):
            assert signed_in.get(f"{prefix}{job.file}").status_code == 404
        signed_in.logout()
        download_url = f"/exports/{job.pk}/download/"
        assert client.get(download_url)["Location"].startswith("/accounts/login/")

    def test_it_limits_unfinished_jobs(self, signed_in, user):
        ExportJobFactory.create_batch(3, owner=user)  # queued
        ExportJobFactory(owner=user, status=JobStatus.FAILED)  # does not count
        response = request_export(signed_in)
        assert response.status_code == 200
        assert "already have 3 exports in progress" in response.content.decode()
        assert ExportJob.objects.count() == 4

    def test_it_counts_only_the_owners_unfinished_jobs(self, signed_in, user, other_user):
        ExportJobFactory.create_batch(3, owner=other_user)
        ExportJobFactory.create_batch(2, owner=user)
        ExportJobFactory(owner=user, status=JobStatus.DONE)
        assert request_export(signed_in)["Location"] == URL
        assert ExportJob.objects.filter(owner=user).count() == 4

    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize(
        "error",
        [OperationalError("Connection refused"),
         # What the Redis result backend raised after 19 s of retries (issue 12).
         RuntimeError("Retry limit exceeded while trying to reconnect to the Celery redis "
                      "result store backend."),
         redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379."),
         redis.exceptions.TimeoutError("Timeout connecting to server")],
        ids=["kombu", "result-backend", "redis-refused", "redis-timeout"],
    )  # fmt: skip
    def test_it_fails_the_job_says_so_once_and_offers_a_retry_when_the_broker_is_down(
        self, signed_in, monkeypatch, error
    ):
        # Transactional, as in production: the send happens during the request, which can
        # still show its message.
        def unreachable(*args):
            raise error

        monkeypatch.setattr(tasks.build_export, "delay", unreachable)
        response = signed_in.post(URL, {"format": "csv"}, follow=True)
        job = ExportJob.objects.get()
        assert (job.status, job.error) == (JobStatus.FAILED, ExportJob.unavailable_error)
        assert job.finished_at is not None
        assert [str(m) for m in response.context["messages"]] == [ExportJob.unavailable_error]
        page = response.content.decode()
        assert page.count('class="message ') == 1
        assert f'action="/exports/{job.pk}/retry/"' in page
        assert "being prepared" not in page

    @pytest.mark.parametrize(
        ("data", "field"),
        [({"format": "pdf"}, "format"), ({"format": ""}, "format"),
         ({"format": "csv", "date_from": "2026-02-30"}, "date_from"),
         ({"format": "csv", "date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to")],
    )  # fmt: skip
    def test_it_answers_bad_input_with_errors(self, signed_in, data, field):
        response = signed_in.post(URL, data)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert not ExportJob.objects.exists()

    def test_it_polls_only_while_a_job_is_unfinished(self, signed_in, user):
        job = ExportJobFactory(owner=user)
        fragment = signed_in.get(URL, HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith('<div id="export-jobs"')
        assert 'hx-trigger="every 2s"' in fragment
        assert '<progress max="100" value="0">' in fragment
        # Without JavaScript: a Refresh link, and no word of a list that updates by itself.
        refresh = '<noscript>An export is still being made: <a href="/exports/">Refresh</a>'
        assert refresh in fragment
        assert '<span class="with-scripts">This list updates by itself.</span>' in fragment
        tasks.build_export(str(job.pk))
        assert "every 2s" not in signed_in.get(URL, HTTP_HX_REQUEST="true").content.decode()


class TestFormats:
    def test_csv_has_a_bom_and_neutralises_formulas(self, signed_in, user):
        MeditationSessionFactory(user=user, intention="=HYPERLINK(\"http://evil\")",
                                 reflection="+1 -1 @sum\tx")  # fmt: skip
        request_export(signed_in, "csv")
        body, response = download(signed_in, ExportJob.objects.get())
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0]["intention"] == '\'=HYPERLINK("http://evil")'
        assert rows[0]["reflection"] == "'+1 -1 @sum\tx"
        assert response["Content-Disposition"].startswith('attachment; filename="aysekai-journal-')

    @pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
    def test_csv_neutralises_every_formula_trigger(self, signed_in, user, cell):
        MeditationSessionFactory(user=user, reflection=cell)
        request_export(signed_in, "csv")
        body, _ = download(signed_in, ExportJob.objects.get())
        reflection = next(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))["reflection"]
        assert reflection.startswith("'")

    def test_json_follows_the_documented_schema(self, signed_in, user):
        user.display_name = "Amina"
        user.save()
        entry = MeditationSessionFactory(
            user=user, name=DivineName.objects.get(number=93), intention="light",
            reflection="line one\nline two",
        )  # fmt: skip
        request_export(signed_in, "json")
        body, _ = download(signed_in, ExportJob.objects.get())
        data = json.loads(body)
        assert (data["schema"], data["version"]) == ("aysekai-journal-export", 1)
        assert data["profile"]["display_name"] == "Amina"
        assert data["preferences"]["time_zone"] == "UTC"
        session = data["sessions"][0]
        assert session["id"] == str(entry.pk)
        assert (session["name_number"], session["intention"]) == (93, "light")
        assert session["reflection"] == "line one\nline two"

    def test_json_is_valid_when_empty(self, signed_in):
        request_export(signed_in, "json")
        body, _ = download(signed_in, ExportJob.objects.get())
        assert json.loads(body)["sessions"] == []

    def test_markdown_has_one_section_per_session_and_no_markup_injection(self, signed_in, user):
        MeditationSessionFactory(user=user, intention="# not a heading", reflection="<script>x")
        MeditationSessionFactory(user=user, intention="second")
        request_export(signed_in, "md")
        body, _ = download(signed_in, ExportJob.objects.get())
        text = body.decode()
        assert text.startswith("# Aysekai journal")
        assert text.count("\n## ") == 2
        assert "\\# not a heading" in text
        assert "\\<script\\>x" in text

    def test_markdown_shows_a_mood_no_longer_offered_as_it_was_stored(self, signed_in, user):
        entry = MeditationSessionFactory(user=user)
        MeditationSession.objects.filter(pk=entry.pk).update(mood="serene")  # an old choice
        MeditationSessionFactory(user=user, mood="calm")
        request_export(signed_in, "md")
        text = download(signed_in, ExportJob.objects.get())[0].decode()
        assert "- Mood: serene\n" in text
        assert "- Mood: Calm\n" in text

    def test_zip_holds_all_three_and_the_learning(self, signed_in, user):
        MeditationSessionFactory(user=user)
        request_export(signed_in, "zip")
        body, _ = download(signed_in, ExportJob.objects.get())
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert archive.namelist() == ["journal.csv", "journal.json", "journal.md", "learning.json"]
        assert json.loads(archive.read("journal.json"))["sessions"]
        assert json.loads(archive.read("learning.json"))["cards"] == []

    def test_it_limits_to_the_date_range_in_local_days(self, signed_in, user):
        user.time_zone = "Asia/Tokyo"
        user.save()
        day = datetime.datetime(2026, 3, 1, 16, 0, tzinfo=datetime.UTC)  # 2 March in Tokyo
        MeditationSessionFactory(user=user, intention="in range", started_at=day)
        MeditationSessionFactory(
            user=user, intention="before", started_at=day - datetime.timedelta(days=2)
        )
        request_export(signed_in, "json", date_from="2026-03-02", date_to="2026-03-02")
        body, _ = download(signed_in, ExportJob.objects.get())
        assert [s["intention"] for s in json.loads(body)["sessions"]] == ["in range"]

    def test_it_exports_only_the_owners_entries(self, signed_in, user, other_user):
        MeditationSessionFactory(user=other_user, intention="not mine")
        request_export(signed_in, "json")
        body, _ = download(signed_in, ExportJob.objects.get())
        assert b"not mine" not in body


class TestDownload:
    def test_it_streams_privately_with_its_length_and_is_audited(self, signed_in, user):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        body, response = download(signed_in, job)
        assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
        assert response.streaming
        assert int(response["Content-Length"]) == len(body) == job.size
        assert response["Content-Disposition"].startswith('attachment; filename="aysekai-journal-')
        assert hashlib.sha256(body).hexdigest() == job.sha256
        assert AuditEvent.objects.filter(action="export_downloaded", target_id=str(job.pk)).exists()

    def test_it_hides_another_users_export(self, signed_in, other_user):
        job = ExportJobFactory(owner=other_user)
        tasks.build_export(str(job.pk))
        assert signed_in.get(f"/exports/{job.pk}/download/").status_code == 404
        assert signed_in.post(f"/exports/{job.pk}/retry/").status_code == 404

    def test_it_needs_sign_in_and_get(self, client, user, signed_in):
        job = ExportJobFactory(owner=user)
        assert signed_in.post(f"/exports/{job.pk}/download/").status_code == 405
        signed_in.logout()
        assert client.get(f"/exports/{job.pk}/download/").status_code == 302

    def test_it_says_not_ready_for_an_unfinished_job(self, signed_in, user):
        job = ExportJobFactory(owner=user)
        assert signed_in.get(f"/exports/{job.pk}/download/")["Location"] == URL

    def test_it_says_not_ready_when_the_file_went_a_moment_ago(self, signed_in, user):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        local_path(job.file).unlink()  # the expiry task, just before this request
        assert signed_in.get(f"/exports/{job.pk}/download/")["Location"] == URL

    def test_it_expires_after_seven_days(self, signed_in, user, settings):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        ExportJob.objects.filter(pk=job.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        assert tasks.expire_exports() == 1
        job.refresh_from_db()
        assert (job.status, job.file) == ("expired", "")
        assert export_files(settings) == []
        assert signed_in.get(f"/exports/{job.pk}/download/").status_code == 410
        assert "Expired" in signed_in.get(URL).content.decode()

    def test_it_deletes_files_with_the_account(self, signed_in, user, settings):
        request_export(signed_in, "csv")
        assert export_files(settings)
        user.delete()
        assert export_files(settings) == []


class TestRetry:
    def test_it_fails_cleanly_and_can_be_retried(self, signed_in, user, settings, monkeypatch):
        from meditation.exports import writers

        def broken(*args):
            raise RuntimeError("disk full")

        monkeypatch.setattr(writers, "build", broken)
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        assert job.status == "failed"
        assert "could not be built" in job.error
        assert export_files(settings) == []
        monkeypatch.undo()
        with committed():
            assert signed_in.post(f"/exports/{job.pk}/retry/")["Location"] == URL
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("done", 2)
        assert AuditEvent.objects.filter(action="export_retried", target_id=str(job.pk)).exists()

    def test_it_only_retries_failed_jobs(self, signed_in, user):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        with committed():
            response = signed_in.post(f"/exports/{job.pk}/retry/", follow=True)
        job.refresh_from_db()
        assert job.attempts == 1
        assert "Only a failed export can be tried again." in response.content.decode()
        assert not AuditEvent.objects.filter(action="export_retried").exists()

    def test_it_refuses_a_retry_past_the_limit(self, signed_in, user):
        failed = ExportJobFactory(owner=user, status=JobStatus.FAILED)
        ExportJobFactory.create_batch(3, owner=user)
        with committed():
            response = signed_in.post(f"/exports/{failed.pk}/retry/", follow=True)
        failed.refresh_from_db()
        assert failed.status == JobStatus.FAILED
        assert "already have 3 exports in progress" in response.content.decode()
        assert not AuditEvent.objects.filter(action="export_retried").exists()

    def test_it_needs_sign_in_and_post(self, client, signed_in, user):
        job = ExportJobFactory(owner=user, status=JobStatus.FAILED)
        assert signed_in.get(f"/exports/{job.pk}/retry/").status_code == 405
        signed_in.logout()
        assert client.post(f"/exports/{job.pk}/retry/").status_code == 302
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
