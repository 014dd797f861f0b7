"""Running an import: in the background, all or nothing, idempotent, with progress."""

import uuid

import pytest
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent
from meditation import jobs, private_files
from meditation.imports import rows as row_checks
from meditation.imports import runner, tasks
from meditation.models import ImportJob, JobStatus, MeditationSession
from tests.factories import ImportJobFactory, MeditationSessionFactory
from tests.meditation.imports.helpers import (
    URL,
    log,
    only_job,
    row,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


class TestInTheBackground:
    def test_it_imports_a_large_file_through_the_task(self, signed_in, user, settings, monkeypatch):
        settings.IMPORT_INLINE_MAX_BYTES = 100
        calls = []
        delay = tasks.run_import.delay

        def spy(*args):
            calls.append(args)
            return delay(*args)

        monkeypatch.setattr(tasks.run_import, "delay", spy)
        response = upload(signed_in, log(row(), row(), row()))
        job = only_job()
        assert calls == [(str(job.pk),)]
        assert (job.status, job.imported) == (JobStatus.DONE, 3)
        page = signed_in.get(response["Location"]).content.decode()
        assert "Done." in page
        assert '<td id="imported">3</td>' in page
        event = AuditEvent.objects.get(action="import_requested")
        assert event.metadata["background"] is True

    @pytest.mark.django_db(transaction=True)
    def test_it_fails_the_job_when_the_broker_is_unreachable(
        self, signed_in, settings, monkeypatch, private_root
    ):
        # Transactional, as in production: the send happens during the request, which can
        # still show its message.
        settings.IMPORT_INLINE_MAX_BYTES = 100

        def unreachable(*args):
            raise OperationalError("Connection refused")

        monkeypatch.setattr(tasks.run_import, "delay", unreachable)
        response = upload(signed_in, log(row(), row()), follow=True)
        job = only_job()
        assert (job.status, job.error) == (JobStatus.FAILED, ImportJob.unavailable_error)
        assert job.finished_at is not None
        assert job.file == ""
        assert stored_files(private_root) == []  # the upload is deleted
        assert not MeditationSession.objects.exists()
        assert [str(m) for m in response.context["messages"]] == [ImportJob.unavailable_error]
        page = response.content.decode()
        assert page.count('class="message ') == 1
        assert "Imports of large files are temporarily unavailable" in page
        assert "hx-trigger" not in page
        event = AuditEvent.objects.get(action="import_requested")
        assert event.metadata["status"] == JobStatus.FAILED


class TestAllOrNothing:
    def test_it_leaves_nothing_half_imported_when_an_insert_fails(
        self, signed_in, monkeypatch, private_root
    ):
        manager = MeditationSession.objects
        real = manager.bulk_create
        calls = []

        def flaky(objs, *args, **kwargs):
            calls.append(len(objs))
            if len(calls) > 1:
                raise RuntimeError("disk full")
            return real(objs, *args, **kwargs)

        monkeypatch.setattr(manager, "bulk_create", flaky)
        upload(signed_in, log(*[row() for _ in range(row_checks.CHUNK + 10)]))
        job = only_job()
        assert calls == [row_checks.CHUNK, 10]
        assert job.status == JobStatus.FAILED
        assert job.error == runner.GENERIC_ERROR
        assert (job.imported, job.report) == (0, [])
        assert not MeditationSession.objects.exists()
        assert stored_files(private_root) == []
        assert "nothing was imported" in signed_in.get(f"{URL}{job.pk}/").content.decode()

    def test_it_updates_progress_while_validating(self, signed_in, monkeypatch):
        seen = []
        real_judge = row_checks._judge

        def watching(fields, index, row, *args):
            if row % row_checks.CHUNK == 1:
                seen.append(ImportJob.objects.get().progress)
            return real_judge(fields, index, row, *args)

        monkeypatch.setattr(row_checks, "_judge", watching)
        monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)  # however fast the machine
        upload(signed_in, log(*[row() for _ in range(3 * row_checks.CHUNK)]))
        assert len(seen) == 3
        assert 0 < seen[0] < seen[1] < seen[2] < row_checks.VALIDATED_PROGRESS


class TestIdempotence:
    def test_it_does_not_import_a_done_job_twice(self, user, private_root):
        job = ImportJobFactory(owner=user, upload=log(row(), row()))
        assert tasks.run_import(str(job.pk)) == JobStatus.DONE
        assert tasks.run_import(str(job.pk)) == JobStatus.DONE
        assert MeditationSession.objects.filter(user=user).count() == 2
        assert ImportJob.objects.get().imported == 2

    def test_it_reruns_an_interrupted_job_without_duplicates(self, user, private_root):
        rows = [row(), row()]
        # A first run inserted these, then died before its job was marked done.
        MeditationSessionFactory(user=user, legacy_id=rows[0]["session_id"])
        job = ImportJobFactory(owner=user, upload=log(*rows), status=JobStatus.RUNNING, progress=40)
        tasks.run_import(str(job.pk))
        job.refresh_from_db()
        assert (job.status, job.imported, job.skipped) == (JobStatus.DONE, 1, 1)
        assert MeditationSession.objects.filter(user=user).count() == 2

    def test_it_retries_a_failed_job_whose_upload_is_still_there(self, user, private_root):
        job = ImportJobFactory(
            owner=user, upload=log(row()), status=JobStatus.FAILED, error="stuck"
        )
        tasks.run_import(str(job.pk))
        job.refresh_from_db()
        assert (job.status, job.imported, job.error) == (JobStatus.DONE, 1, "")

    def test_it_fails_a_job_whose_upload_is_gone(self, user, private_root):
        job = ImportJobFactory(owner=user, upload=log(row()))
        private_files.delete(job.file)
        tasks.run_import(str(job.pk))
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert "upload the log again" in job.error
        assert tasks.run_import(str(uuid.uuid4())) == "missing"

    def test_it_rechecks_ids_inserted_by_a_concurrent_run(self, user, private_root, monkeypatch):
        rows = [row(), row()]
        job = ImportJobFactory(owner=user, upload=log(*rows))
        real = runner.validate_file

        def racing(job):
            outcome = real(job)
            MeditationSessionFactory(user=user, legacy_id=rows[1]["session_id"])
            return outcome

        monkeypatch.setattr(runner, "validate_file", racing)
        tasks.run_import(str(job.pk))
        job.refresh_from_db()
        assert (job.status, job.imported, job.skipped) == (JobStatus.DONE, 1, 1)
        assert job.report == [{"row": 3, "outcome": "skipped", "reason": "already imported"}]


class TestProgress:
    def test_it_polls_while_the_job_is_unfinished(self, signed_in, user):
        job = ImportJobFactory(owner=user, status=JobStatus.RUNNING, progress=40)
        page = signed_in.get(f"{URL}{job.pk}/").content.decode()
        assert '<progress id="import-progress" max="100" value="40">40%</progress>' in page
        assert f'href="{URL}{job.pk}/">Refresh</a>' in page
        assert 'hx-trigger="every 2s"' in page

    def test_it_returns_the_fragment_to_htmx(self, signed_in, user):
        job = ImportJobFactory(owner=user, status=JobStatus.QUEUED, progress=0)
        response = signed_in.get(f"{URL}{job.pk}/", HTTP_HX_REQUEST="true")
        fragment = response.content.decode()
        assert "<html" not in fragment
        assert "<h1" not in fragment
        assert 'hx-trigger="every 2s"' in fragment
        assert f'hx-get="{URL}{job.pk}/"' in fragment
        assert 'value="0"' in fragment

    @pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED])
    def test_it_stops_polling_once_the_job_has_finished(self, signed_in, user, status):
        job = ImportJobFactory(owner=user, status=status, error="It broke.")
        fragment = signed_in.get(f"{URL}{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
        assert 'id="import-status"' in fragment
        assert "hx-trigger" not in fragment
        assert "hx-get" not in fragment
        assert "<progress" not in fragment

    def test_it_shows_the_error_of_a_failed_job(self, signed_in, user):
        job = ImportJobFactory(owner=user, status=JobStatus.FAILED, error="It broke.")
        assert "It broke." in signed_in.get(f"{URL}{job.pk}/").content.decode()

    def test_it_keeps_no_inline_script_or_style(self, signed_in, user):
        job = ImportJobFactory(owner=user, status=JobStatus.RUNNING)
        for page in (signed_in.get(URL), signed_in.get(f"{URL}{job.pk}/")):
            html = page.content.decode()
            assert "style=" not in html
            assert "hx-on" not in html
            assert "<script>" not in html
