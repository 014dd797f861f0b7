"""The life of a job, of either kind: queued, running, done or failed, expired.

Heartbeats and the stuck sweep: test_jobs_sweep.py."""

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent
from meditation import jobs
from meditation.exports.tasks import build_export
from meditation.imports.tasks import run_import
from meditation.models import ExportJob, ImportJob, JobStatus
from tests.factories import ExportJobFactory, ImportJobFactory
from tests.meditation.helpers import (
    both_kinds,
    committed,
    export_job,
    fresh,
    import_job,
    recording,
    stored,
)
from tests.private_storage import local_path

pytestmark = pytest.mark.django_db


def unreachable(job_id):
    raise OperationalError("Connection refused")


class TestTransitions:
    @both_kinds
    def test_it_starts_a_job_afresh(self, make, user):
        job = make(owner=user, status=JobStatus.FAILED, progress=40, error="an old error")
        assert jobs.start(job) is True
        job = fresh(job)
        assert (job.status, job.progress, job.error) == (JobStatus.RUNNING, 0, "")
        assert job.started_at is not None

    @both_kinds
    @pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.EXPIRED])
    def test_it_never_starts_a_completed_job(self, make, user, status):
        job = make(owner=user, status=status)
        assert jobs.start(job) is False
        assert fresh(job).status == status

    @both_kinds
    def test_it_reports_progress(self, make, user):
        job = make(owner=user, status=JobStatus.RUNNING)
        jobs.report_progress(job, 42)
        assert (fresh(job).status, fresh(job).progress) == (JobStatus.RUNNING, 42)

    def test_it_marks_an_export_done_with_its_result(self, user):
        job = export_job(owner=user, status=JobStatus.RUNNING, progress=70)
        jobs.done(job, rows=12, size=345, sha256="ab" * 32, file="exports/x.csv")
        job = fresh(job)
        assert (job.status, job.progress, job.error) == (JobStatus.DONE, 100, "")
        assert (job.rows, job.size, job.file) == (12, 345, "exports/x.csv")
        assert job.finished_at is not None

    def test_it_marks_an_import_done_with_its_counts(self, user):
        job = import_job(owner=user, status=JobStatus.RUNNING)
        report = [{"row": 2, "outcome": "skipped", "reason": "already imported"}]
        jobs.done(job, imported=3, skipped=1, rejected=0, report=report, file="")
        job = fresh(job)
        assert (job.status, job.imported, job.skipped, job.report) == ("done", 3, 1, report)

    @both_kinds
    def test_it_fails_a_job_with_its_error(self, make, user):
        job = make(owner=user, status=JobStatus.RUNNING)
        assert jobs.fail(job, "It broke.") is True
        job = fresh(job)
        assert (job.status, job.error) == (JobStatus.FAILED, "It broke.")
        assert job.finished_at is not None

    def test_it_fails_a_job_only_while_it_meets_the_condition(self, user):
        # The sweep's case: a task redelivered since the job was found stuck restarted it.
        lost = ImportJob.lost_worker_condition(timezone.now())
        job = import_job(owner=user, status=JobStatus.RUNNING, started_at=timezone.now())
        assert jobs.fail(job, "stuck", where=lost) is False
        assert fresh(job).status == JobStatus.RUNNING
        assert stored(job)

    @both_kinds
    @pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.EXPIRED])
    def test_it_never_fails_a_job_another_run_completed(self, make, user, status):
        job = make(owner=user, status=status)
        assert jobs.fail(job, "late news from a duplicate run") is False
        assert (fresh(job).status, fresh(job).error) == (status, "")

    def test_it_discards_an_imports_upload_when_it_fails(self, user):
        job = import_job(owner=user, status=JobStatus.RUNNING)
        assert stored(job)
        jobs.fail(job, "It broke.")
        assert fresh(job).file == ""
        assert not local_path(job.file).exists()

    def test_it_keeps_the_upload_of_an_import_another_run_completed(self, user):
        job = import_job(owner=user, status=JobStatus.DONE)
        jobs.fail(job, "late news")
        assert stored(fresh(job))

    def test_it_expires_a_finished_job_and_deletes_its_file(self, user):
        job = export_job(owner=user)
        build_export(str(job.pk))
        job = fresh(job)
        assert stored(job)
        assert jobs.expire(job) is True
        assert (fresh(job).status, fresh(job).file) == (JobStatus.EXPIRED, "")
        assert not local_path(job.file).exists()

    @pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
    def test_it_never_expires_an_unfinished_job(self, user, status):
        job = import_job(owner=user, status=status)
        assert jobs.expire(job) is False
        assert fresh(job).status == status
        assert stored(job)


@pytest.mark.django_db(transaction=True)
class TestEnqueue:
    """Transactional, as in production: each write commits unless a block holds it open."""

    def test_it_sends_the_task_only_once_the_job_is_committed(self, user, monkeypatch):
        sent = []
        monkeypatch.setattr(build_export, "delay", recording(sent))
        with transaction.atomic():
            job = export_job(owner=user)
            assert jobs.enqueue(None, job) is True
            assert sent == []  # a worker could not see the job yet
        assert sent == [(str(job.pk), False)]

    def test_it_never_sends_the_task_of_a_job_rolled_back(self, user, monkeypatch):
        sent = []
        monkeypatch.setattr(build_export, "delay", recording(sent))
        with transaction.atomic():
            assert jobs.enqueue(None, export_job(owner=user)) is True
            transaction.set_rollback(True)  # the request failed after creating the job
        assert sent == []
        assert not ExportJob.objects.exists()

    def test_it_sends_each_kind_to_its_own_task(self, user, monkeypatch):
        exports, imports = [], []
        monkeypatch.setattr(build_export, "delay", recording(exports))
        monkeypatch.setattr(run_import, "delay", recording(imports))
        export, upload = export_job(owner=user), import_job(owner=user)
        assert jobs.enqueue(None, export) is True
        assert jobs.enqueue(None, upload) is True
        assert (exports, imports) == ([(str(export.pk), False)], [(str(upload.pk), False)])

    @both_kinds
    def test_it_fails_the_job_when_the_broker_is_down(self, make, user, monkeypatch):
        monkeypatch.setattr(build_export, "delay", unreachable)
        monkeypatch.setattr(run_import, "delay", unreachable)
        job = make(owner=user)
        assert jobs.enqueue(None, job) is False
        failed = fresh(job)
        assert (failed.status, failed.error) == (JobStatus.FAILED, type(job).unavailable_error)
        assert failed.finished_at is not None

    def test_it_deletes_an_imports_upload_when_the_broker_is_down(self, user, monkeypatch):
        monkeypatch.setattr(run_import, "delay", unreachable)
        job = import_job(owner=user)
        jobs.enqueue(None, job)
        assert fresh(job).file == ""
        assert not local_path(job.file).exists()


class TestRequeue:
    def test_it_queues_a_failed_export_again_and_audits_it(self, rf, user):
        job = export_job(owner=user, status=JobStatus.FAILED, error="It broke.", progress=30)
        request = rf.post("/")
        request.user = user
        with committed():
            assert jobs.requeue(request, job) is True
            assert (fresh(job).status, fresh(job).error) == (JobStatus.QUEUED, "")
        assert fresh(job).status == JobStatus.DONE  # the task ran once the retry committed
        event = AuditEvent.objects.get(action="export_retried")
        assert (event.actor, event.target_id) == (user, str(job.pk))

    @pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE])
    def test_it_requeues_only_a_failed_export(self, rf, user, status, monkeypatch):
        sent = []
        monkeypatch.setattr(build_export, "delay", recording(sent))
        job = export_job(owner=user, status=status)
        request = rf.post("/")
        request.user = user
        with committed():
            assert jobs.requeue(request, job) is False
        assert (fresh(job).status, sent) == (status, [])
        assert not AuditEvent.objects.exists()


class TestExportLimit:
    def test_it_counts_only_the_owners_unfinished_exports(self, user, other_user):
        ExportJobFactory(owner=user, status=JobStatus.QUEUED)
        ExportJobFactory(owner=user, status=JobStatus.RUNNING)
        for status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED):
            ExportJobFactory(owner=user, status=status)
        ExportJobFactory.create_batch(3, owner=other_user)
        ImportJobFactory.create_batch(3, owner=user)  # imports have no such limit
        assert jobs.export_limit_reached(user) is None
        ExportJobFactory(owner=user)
        assert "already have 3 exports in progress" in jobs.export_limit_reached(user)

    def test_it_follows_the_setting(self, user, settings):
        settings.EXPORT_MAX_UNFINISHED = 1
        assert jobs.export_limit_reached(user) is None
        ExportJobFactory(owner=user)
        assert "already have 1 export in progress" in jobs.export_limit_reached(user)
