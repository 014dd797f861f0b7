import csv
import io
import sqlite3
import uuid
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from meditation import jobs, private_files
from meditation.exports import tasks
from meditation.models import DivineName, ExportJob, JobStatus, MeditationSession
from tests.factories import ExportJobFactory, MeditationSessionFactory, UserFactory, make_entries

from .helpers import export_files

pytestmark = pytest.mark.django_db


class TestBuild:
    def test_it_streams_large_journals_in_chunks(self, user, settings, monkeypatch):
        make_entries(user, 1200)
        job = ExportJobFactory(owner=user)
        seen = []
        report = jobs.report_progress

        def spy(job, percent):
            seen.append(percent)
            report(job, percent)

        settings.EXPORT_CHUNK_PAUSE = 0
        monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)  # however fast the machine
        monkeypatch.setattr(jobs, "report_progress", spy)
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        assert job.rows == 1200 == MeditationSession.objects.filter(user=user).count()
        assert any(0 < p < 100 for p in seen)  # progress reported during the build

    @pytest.mark.django_db(transaction=True)
    def test_it_reports_progress_while_another_process_writes(self, user, monkeypatch):
        """On SQLite a write from a connection whose read is still open fails at once ("database
        is locked", whatever the busy timeout) once another process has committed: the web
        writes while the worker exports."""
        if connection.vendor != "sqlite":
            pytest.skip("the open-read conflict is SQLite's")
        call_command("load_names", verbosity=0)  # a transactional test may have flushed them
        make_entries(user, 1200)
        job = ExportJobFactory(owner=user)
        web = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
        report = jobs.report_progress

        def while_the_web_writes(job, percent):
            web.execute("UPDATE accounts_user SET last_login = CURRENT_TIMESTAMP")
            web.commit()
            report(job, percent)

        monkeypatch.setattr(jobs, "report_progress", while_the_web_writes)
        try:
            assert tasks.build_export(str(job.pk)) == "done"
        finally:
            web.close()
        job.refresh_from_db()
        assert job.rows == 1200

    def test_it_rebuilds_after_an_interrupted_run_leaving_one_file(self, user, settings):
        MeditationSessionFactory(user=user)
        # A run that died half-way: status running, a stale temporary on disk.
        job = ExportJobFactory(owner=user, status=JobStatus.RUNNING)
        folder = settings.PRIVATE_STORAGE_ROOT / "exports"
        folder.mkdir(parents=True)
        (folder / f".{job.pk}.csv.deadbeef.tmp").write_bytes(b"half a fi")
        assert tasks.build_export(str(job.pk)) == "done"
        assert export_files(settings) == [f"{job.pk}.csv"]
        job.refresh_from_db()
        assert job.attempts == 1

    def test_it_does_nothing_for_a_job_already_settled(self, user):
        job = ExportJobFactory(owner=user)
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        first = (job.sha256, job.finished_at, job.attempts)
        assert tasks.build_export(str(job.pk)) == "done"
        job.refresh_from_db()
        assert (job.sha256, job.finished_at, job.attempts) == first
        failed = ExportJobFactory(owner=user, status=JobStatus.FAILED)
        assert tasks.build_export(str(failed.pk)) == "failed"
        assert tasks.build_export(str(uuid.uuid4())) == "missing"

    def test_it_stops_a_build_past_the_soft_time_limit(self, user, monkeypatch, settings):
        from celery.exceptions import SoftTimeLimitExceeded

        from meditation.exports import writers

        def slow(*args):
            raise SoftTimeLimitExceeded

        monkeypatch.setattr(writers, "build", slow)
        job = ExportJobFactory(owner=user)
        assert tasks.build_export(str(job.pk)) == "failed"
        job.refresh_from_db()
        assert "took too long" in job.error
        assert export_files(settings) == []

    def test_it_is_configured_to_survive_a_killed_worker(self, settings):
        from aysekai_site.celery import app

        assert app.conf.task_acks_late is True
        assert app.conf.task_reject_on_worker_lost is True
        assert app.conf.worker_prefetch_multiplier == 1
        assert tasks.build_export.time_limit < settings.CELERY_VISIBILITY_TIMEOUT
        assert tasks.build_export.soft_time_limit < tasks.build_export.time_limit

    def test_it_refuses_paths_outside_private_storage(self):
        from django.core.exceptions import SuspiciousFileOperation

        with pytest.raises(SuspiciousFileOperation), private_files.atomic_write("../../etc/x"):
            pass


class TestStaffExports:
    def test_it_exports_the_catalogue_in_the_legacy_format(self, user):
        job = ExportJobFactory(owner=user, kind="catalogue")
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        text = private_files.open_plain(job.file).read().decode("utf-8")
        assert text.startswith(
            "Name,Number,Meaning,Tawil,Reference,Verse,Dhikr,Pronunciation,Phonetics"
        )
        assert job.rows == 99

    def test_it_exports_an_anonymised_dataset(self, user):
        MeditationSessionFactory(
            user=user, intention="secret words", name=DivineName.objects.get(number=5)
        )
        MeditationSessionFactory(user=UserFactory(), name=DivineName.objects.get(number=5))
        job = ExportJobFactory(owner=user, kind="dataset", format="zip")
        tasks.build_export(str(job.pk))
        job.refresh_from_db()
        archive = zipfile.ZipFile(io.BytesIO(private_files.open_plain(job.file).read()))
        names = list(csv.DictReader(io.StringIO(archive.read("names.csv").decode())))
        assert names[4] == {"number": "5", "transliteration": "As-Salām", "entries": "2"}
        days = archive.read("days.csv").decode()
        assert days.startswith("date,entries,minutes\r\n")
        assert ",2,20" in days
        everything = b"".join(archive.read(n) for n in archive.namelist())
        assert b"secret" not in everything
        assert user.email.encode() not in everything
        assert ExportJob.objects.get(pk=job.pk).status == JobStatus.DONE
