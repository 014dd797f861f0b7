import csv
import datetime
import io
import json
import zipfile

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent
from meditation import jobs, private_files
from meditation.exports import tasks
from meditation.models import DivineName, ExportJob, JobStatus
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/exports/"


def request_export(client, fmt="zip", **extra):
    return client.post(URL, {"format": fmt, **extra})


def download(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def export_files(settings):
    folder = settings.PRIVATE_STORAGE_ROOT / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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
        assert job.sha256 in page
        assert export_files(settings) == [f"{job.pk}.zip"]
        assert not str(job.file).startswith(str(settings.STATIC_ROOT))

    def test_it_stores_files_outside_static_and_any_url(self, settings):
        assert settings.PRIVATE_STORAGE_ROOT != settings.STATIC_ROOT
        assert "private" not in settings.STATIC_URL

    def test_it_limits_unfinished_jobs(self, signed_in, user, monkeypatch):
        monkeypatch.setattr(tasks.build_export, "delay", lambda job_id: None)  # stays queued
        for _ in range(3):
            request_export(signed_in)
        response = request_export(signed_in)
        assert response.status_code == 200
        assert "already have 3 exports in progress" in response.content.decode()
        assert ExportJob.objects.count() == 3

    def test_it_says_so_when_the_broker_is_down_and_leaves_nothing_queued(
        self, signed_in, monkeypatch
    ):
        def down(job_id):
            raise OperationalError("Connection refused")

        monkeypatch.setattr(tasks.build_export, "delay", down)
        response = request_export(signed_in)
        job = ExportJob.objects.get()
        assert job.status == JobStatus.FAILED
        assert "temporarily unavailable" in job.error
        page = signed_in.get(response["Location"]).content.decode()
        assert "temporarily unavailable" in page

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

    def test_it_polls_only_while_a_job_is_unfinished(self, signed_in, user, monkeypatch):
        monkeypatch.setattr(tasks.build_export, "delay", lambda job_id: None)
        request_export(signed_in)
        fragment = signed_in.get(URL, HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith('<div id="export-jobs"')
        assert 'hx-trigger="every 2s"' in fragment
        assert '<progress max="100" value="0">' in fragment
        assert "Refresh" in fragment  # the no-JavaScript way
        tasks.build_export(str(ExportJob.objects.get().pk))
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

    def test_zip_holds_all_three(self, signed_in, user):
        MeditationSessionFactory(user=user)
        request_export(signed_in, "zip")
        body, _ = download(signed_in, ExportJob.objects.get())
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert sorted(archive.namelist()) == ["journal.csv", "journal.json", "journal.md"]
        assert json.loads(archive.read("journal.json"))["sessions"]

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

    def test_it_streams_large_journals_in_chunks(self, user, settings):
        from meditation.models import MeditationSession
        from tests.factories import make_entries

        make_entries(user, 1200)
        job = ExportJob.objects.create(owner=user, format="csv")
        seen = []
        original = tasks._update

        def spy(job_id, **fields):
            if "progress" in fields and fields.get("status") is None:
                seen.append(fields["progress"])
            original(job_id, **fields)

        settings.EXPORT_CHUNK_PAUSE = 0
        import unittest.mock

        with unittest.mock.patch.object(tasks, "_update", spy):
            tasks.build_export(str(job.pk))
        job.refresh_from_db()
        assert job.rows == 1200 == MeditationSession.objects.filter(user=user).count()
        assert any(0 < p < 100 for p in seen)  # progress reported during the build


class TestDownload:
    def test_it_streams_with_no_store_and_is_audited(self, signed_in, user):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        body, response = download(signed_in, job)
        assert response["Cache-Control"] == "no-store"
        assert response.streaming
        import hashlib

        assert hashlib.sha256(body).hexdigest() == job.sha256
        assert AuditEvent.objects.filter(action="export_downloaded", target_id=str(job.pk)).exists()

    def test_it_hides_another_users_export(self, signed_in, other_user, settings):
        job = ExportJob.objects.create(owner=other_user, format="csv")
        tasks.build_export(str(job.pk))
        assert signed_in.get(f"/exports/{job.pk}/download/").status_code == 404
        assert signed_in.post(f"/exports/{job.pk}/retry/").status_code == 404

    def test_it_needs_sign_in_and_get(self, client, user, signed_in):
        job = ExportJob.objects.create(owner=user, format="csv")
        assert signed_in.post(f"/exports/{job.pk}/download/").status_code == 405
        signed_in.logout()
        assert client.get(f"/exports/{job.pk}/download/").status_code == 302

    def test_it_says_not_ready_for_an_unfinished_job(self, signed_in, user):
        job = ExportJob.objects.create(owner=user, format="csv")
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


class TestRobustness:
    def test_it_rebuilds_after_an_interrupted_run_leaving_one_file(self, user, settings):
        MeditationSessionFactory(user=user)
        job = ExportJob.objects.create(owner=user, format="csv")
        # A run that died half-way: status running, a stale temporary on disk.
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
        folder = settings.PRIVATE_STORAGE_ROOT / "exports"
        folder.mkdir(parents=True)
        (folder / f".{job.pk}.csv.deadbeef.tmp").write_bytes(b"half a fi")
        assert tasks.build_export(str(job.pk)) == "done"
        assert export_files(settings) == [f"{job.pk}.csv"]
        job.refresh_from_db()
        assert job.attempts == 1

    def test_it_does_nothing_for_a_job_already_done(self, user, settings):
        job = ExportJob.objects.create(owner=user, format="csv")
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        first = (job.sha256, job.finished_at)
        assert tasks.build_export(str(job.pk)) == "done"
        job.refresh_from_db()
        assert (job.sha256, job.finished_at) == first

    def test_it_fails_cleanly_and_can_be_retried(self, signed_in, user, settings, monkeypatch):
        from meditation.exports import writers as exports

        def broken(*args):
            raise RuntimeError("disk full")

        monkeypatch.setattr(exports, "build", broken)
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        assert job.status == "failed"
        assert "could not be built" in job.error
        assert export_files(settings) == []
        monkeypatch.undo()
        assert signed_in.post(f"/exports/{job.pk}/retry/")["Location"] == URL
        job.refresh_from_db()
        assert job.status == "done"

    def test_it_only_retries_failed_jobs(self, signed_in, user):
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        signed_in.post(f"/exports/{job.pk}/retry/")
        job.refresh_from_db()
        assert job.attempts == 1

    def test_it_marks_stuck_jobs_failed(self, user, settings):
        old = timezone.now() - datetime.timedelta(
            seconds=settings.EXPORT_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT + 60
        )
        running = ExportJob.objects.create(owner=user, status="running", started_at=old)
        queued = ExportJob.objects.create(owner=user, status="queued", created_at=old)
        fresh = ExportJob.objects.create(owner=user, status="running", started_at=timezone.now())
        assert jobs.fail_stuck_jobs() == 2
        statuses = dict(ExportJob.objects.values_list("pk", "status"))
        assert statuses == {running.pk: "failed", queued.pk: "failed", fresh.pk: "running"}

    def test_it_is_configured_to_survive_a_killed_worker(self, settings):
        from aysekai_site.celery import app

        assert app.conf.task_acks_late is True
        assert app.conf.task_reject_on_worker_lost is True
        assert app.conf.worker_prefetch_multiplier == 1
        assert tasks.build_export.time_limit < settings.CELERY_VISIBILITY_TIMEOUT
        assert tasks.build_export.soft_time_limit < tasks.build_export.time_limit

    def test_it_refuses_paths_outside_private_storage(self):
        from django.core.exceptions import SuspiciousFileOperation

        with pytest.raises(SuspiciousFileOperation):
            private_files.path_of("../../etc/passwd")


class TestStaffExports:
    def test_it_exports_the_catalogue_in_the_legacy_format(self, user):
        job = ExportJob.objects.create(owner=user, kind="catalogue", format="csv")
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        text = private_files.path_of(job.file).read_text(encoding="utf-8")
        assert text.startswith(
            "Name,Number,Meaning,Tawil,Reference,Verse,Dhikr,Pronunciation,Phonetics"
        )
        assert job.rows == 99

    def test_it_exports_an_anonymised_dataset(self, user):
        MeditationSessionFactory(
            user=user, intention="secret words", name=DivineName.objects.get(number=5)
        )
        MeditationSessionFactory(user=UserFactory(), name=DivineName.objects.get(number=5))
        job = ExportJob.objects.create(owner=user, kind="dataset", format="zip")
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        archive = zipfile.ZipFile(private_files.path_of(job.file))
        names = list(csv.DictReader(io.StringIO(archive.read("names.csv").decode())))
        assert names[4] == {"number": "5", "transliteration": "As-Salām", "sessions": "2"}
        days = archive.read("days.csv").decode()
        assert ",2,20" in days
        everything = b"".join(archive.read(n) for n in archive.namelist())
        assert b"secret" not in everything
        assert user.email.encode() not in everything


class TestAdmin:
    def test_staff_start_the_catalogue_and_dataset_exports(self, staff_client, settings):
        assert staff_client.get("/admin/meditation/exportjob/").status_code == 200
        for kind in ("catalogue", "dataset"):
            response = staff_client.post(f"/admin/meditation/exportjob/start/{kind}/")
            assert response.status_code == 302
        jobs = ExportJob.objects.order_by("created_at")
        assert [(j.kind, j.status) for j in jobs] == [("catalogue", "done"), ("dataset", "done")]
        assert all(j.owner == staff_client.staff_user for j in jobs)
        assert staff_client.get(f"/exports/{jobs[0].pk}/download/").status_code == 200

    def test_it_refuses_an_unknown_kind_and_get(self, staff_client):
        assert staff_client.get("/admin/meditation/exportjob/start/dataset/").status_code == 405
        staff_client.post("/admin/meditation/exportjob/start/journal/")
        assert not ExportJob.objects.exists()

    def test_it_retries_and_expires_from_the_list(self, staff_client, user, settings):
        failed = ExportJob.objects.create(owner=user, format="csv", status="failed")
        done = ExportJob.objects.create(owner=user, format="csv")
        tasks.build_export(str(done.pk))
        url = "/admin/meditation/exportjob/"
        staff_client.post(url, {"action": "retry_jobs", "_selected_action": [failed.pk]})
        staff_client.post(url, {"action": "expire_jobs", "_selected_action": [done.pk]})
        statuses = dict(ExportJob.objects.values_list("pk", "status"))
        assert statuses == {failed.pk: "done", done.pk: "expired"}

    def test_non_staff_cannot_start_staff_exports(self, signed_in):
        signed_in.post("/admin/meditation/exportjob/start/dataset/")
        assert not ExportJob.objects.exists()


def test_it_fails_stuck_imports_and_deletes_their_upload(user, settings):
    from meditation.models import ImportJob

    with private_files.atomic_write("imports/stuck.csv") as out:
        out.write(b"timestamp,user\n")
    old = timezone.now() - datetime.timedelta(
        seconds=settings.EXPORT_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT + 60
    )
    job = ImportJob.objects.create(
        owner=user, status="running", started_at=old, file="imports/stuck.csv"
    )
    assert jobs.fail_stuck_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.file) == ("failed", "")
    assert "Upload the log again" in job.error
    assert not private_files.path_of("imports/stuck.csv").exists()
