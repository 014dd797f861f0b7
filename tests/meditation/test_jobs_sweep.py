"""Running jobs' heartbeats, and the sweep that settles jobs whose worker died or never came."""

import datetime
import itertools
import logging
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from meditation import jobs
from meditation.exports import journal as export_journal
from meditation.exports.tasks import build_export
from meditation.imports.tasks import run_import
from meditation.models import ExportJob, ImportJob, JobStatus
from tests.factories import ImportJobFactory, make_entries
from tests.meditation.helpers import (
    LOG,
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


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


def stale():
    """A heartbeat just older than JOB_STALE_SECONDS: the run's worker died."""
    return ago(settings.JOB_STALE_SECONDS + 1)


@pytest.fixture
def sent(monkeypatch):
    """The job ids sent to either task (nothing runs)."""
    sent = []
    monkeypatch.setattr(build_export, "delay", recording(sent))
    monkeypatch.setattr(run_import, "delay", recording(sent))
    return sent


class TestStart:
    @both_kinds
    def test_it_refuses_a_job_another_live_run_holds(self, make, user):
        beat = ago(5)
        job = make(owner=user, status=JobStatus.RUNNING, started_at=ago(60), heartbeat_at=beat)
        assert jobs.start(job) is False  # a duplicate delivery of a job being run
        assert (fresh(job).status, fresh(job).heartbeat_at) == (JobStatus.RUNNING, beat)

    @both_kinds
    def test_it_takes_over_a_job_whose_worker_died(self, make, user):
        job = make(owner=user, status=JobStatus.RUNNING, started_at=ago(900), heartbeat_at=stale())
        assert jobs.start(job) is True
        job = fresh(job)
        assert job.status == JobStatus.RUNNING
        assert job.heartbeat_at > ago(5)
        assert job.started_at == job.heartbeat_at

    def test_it_counts_from_the_start_of_a_run_with_no_heartbeat_yet(self, user):
        job = export_job(owner=user, status=JobStatus.RUNNING, started_at=ago(5))
        assert jobs.start(job) is False
        ExportJob.objects.filter(pk=job.pk).update(started_at=stale())
        assert jobs.start(job) is True

    def test_a_duplicate_delivery_leaves_the_live_run_alone(self, user):
        job = export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=ago(1), attempts=1)
        assert build_export(str(job.pk)) == "settled"
        assert (fresh(job).status, fresh(job).attempts) == (JobStatus.RUNNING, 1)


class TestHeartbeat:
    @both_kinds
    def test_progress_is_a_heartbeat(self, make, user):
        job = make(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale())
        jobs.report_progress(job, 42)
        assert fresh(job).progress == 42
        assert fresh(job).heartbeat_at > ago(5)

    def test_it_writes_only_news_or_a_due_heartbeat(self, user, django_assert_num_queries):
        job = export_job(owner=user, status=JobStatus.RUNNING)
        report = jobs.Progress(job)
        with django_assert_num_queries(0):
            report(0)  # what start() wrote
            report(5)  # news, but less than PROGRESS_INTERVAL after the last write
        report.written_at -= jobs.PROGRESS_INTERVAL
        with django_assert_num_queries(1):
            for _ in range(1000):
                report(5)
        report.written_at -= settings.JOB_HEARTBEAT_SECONDS  # time passes; same percentage
        with django_assert_num_queries(1):
            report(5)
            report(5)
        assert fresh(job).progress == 5

    @pytest.fixture
    def written(self, monkeypatch) -> list[int]:
        """The percentages the job's progress is written with."""
        percents: list[int] = []
        monkeypatch.setattr(jobs, "report_progress", lambda job, percent: percents.append(percent))
        return percents

    def test_a_fast_export_writes_at_most_once_per_percent_not_per_row(
        self, written, user, monkeypatch
    ):
        make_entries(user, 1200)
        job = export_job(owner=user, format="zip")
        monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)  # however fast the machine
        monkeypatch.setattr(export_journal, "BATCH_SIZE", 1)  # progress told after every row
        build_export(str(job.pk))
        assert fresh(job).status == JobStatus.DONE
        assert 50 < len(written) <= 100
        assert written == sorted(set(written))

    def test_an_export_tells_its_progress_after_every_batch(self, written, user, monkeypatch):
        make_entries(user, 1200)
        job = export_job(owner=user, format="zip")
        monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
        build_export(str(job.pk))
        assert export_journal.BATCH_SIZE == 500
        assert written == [41, 83, 99]  # 500, 1,000 and 1,200 rows of 1,200 (100 is `done`'s)

    def test_a_fast_export_writes_progress_a_few_times_not_per_percent(
        self, written, user, monkeypatch
    ):
        make_entries(user, 1200)
        job = export_job(owner=user, format="zip")
        monkeypatch.setattr(export_journal, "BATCH_SIZE", 1)
        ticks = itertools.count(step=0.001)  # each row a millisecond: 1.2 s in all
        monkeypatch.setattr(jobs, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
        build_export(str(job.pk))
        assert fresh(job).status == JobStatus.DONE
        assert 1 <= len(written) <= 3

    def test_a_slow_export_still_writes_its_heartbeat(self, written, user, monkeypatch):
        make_entries(user, 300)  # about three rows per percent
        job = export_job(owner=user)
        monkeypatch.setattr(export_journal, "BATCH_SIZE", 1)
        # Every row takes longer than the heartbeat interval.
        ticks = itertools.count(step=settings.JOB_HEARTBEAT_SECONDS + 1)
        monkeypatch.setattr(jobs, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
        build_export(str(job.pk))
        assert len(written) == 300  # each row

    def test_an_import_writes_its_heartbeat_while_validating(self, written, user, monkeypatch):
        rows = "".join(f"2024-03-01T07:30:00,u,p,1,Ar-Rahman,s{n}\n" for n in range(3000))
        job = ImportJobFactory(owner=user, upload=LOG + rows.encode())
        monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)  # however fast the machine
        run_import(str(job.pk))
        assert fresh(job).status == JobStatus.DONE
        assert 50 < len(written) <= 91  # about once per percent of the file, then "validated"
        assert written[-1] == 90


class TestSweep:
    def test_it_queues_again_an_export_whose_worker_died(self, user, sent, caplog):
        job = export_job(owner=user, status=JobStatus.RUNNING, progress=60, heartbeat_at=stale())
        with caplog.at_level(logging.WARNING, logger="meditation.jobs"), committed():
            assert jobs.fail_stuck_jobs() == {"requeued": 1, "failed": 0}
        job = fresh(job)
        assert (job.status, job.progress, job.heartbeat_at) == (JobStatus.QUEUED, 0, None)
        assert [job_id for job_id, _ in sent] == [str(job.pk)]
        (line,) = [r.getMessage() for r in caplog.records if r.name == "meditation.jobs"]
        assert line == f"ExportJob {job.pk} lost its worker after 0 run(s): queued again"

    def test_the_export_then_finishes(self, user):
        job = export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale(), attempts=1)
        with committed():  # the task runs (eagerly) once the sweep's change is committed
            jobs.fail_stuck_jobs()
        job = fresh(job)
        assert (job.status, job.attempts) == (JobStatus.DONE, 2)

    def test_it_fails_an_export_that_had_its_runs(self, user, sent, settings):
        settings.EXPORT_MAX_ATTEMPTS = 2
        job = export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale(), attempts=2)
        with committed():
            assert jobs.fail_stuck_jobs() == {"requeued": 0, "failed": 1}
        assert (fresh(job).status, fresh(job).error) == ("failed", ExportJob.interrupted_error)
        assert sent == []

    def test_it_fails_an_import_whose_worker_died_and_deletes_its_upload(self, user, sent):
        job = import_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale())
        assert stored(job)
        with committed():
            assert jobs.fail_stuck_jobs() == {"requeued": 0, "failed": 1}
        assert (fresh(job).status, fresh(job).error) == ("failed", ImportJob.interrupted_error)
        assert "Upload the log again" in fresh(job).error
        assert fresh(job).file == ""
        assert not local_path(job.file).exists()
        assert sent == []

    @both_kinds
    def test_it_leaves_live_runs_alone(self, make, user, sent):
        long_alive = make(owner=user, status=JobStatus.RUNNING, started_at=ago(3600),
                          heartbeat_at=ago(5))  # fmt: skip
        just_started = make(owner=user, status=JobStatus.RUNNING, started_at=ago(5))
        queued = make(owner=user, status=JobStatus.QUEUED, created_at=ago(600))
        done = make(owner=user, status=JobStatus.DONE, heartbeat_at=stale())
        with committed():
            assert jobs.fail_stuck_jobs() == {"requeued": 0, "failed": 0}
        assert [fresh(j).status for j in (long_alive, just_started, queued, done)] == [
            "running", "running", "queued", "done",
        ]  # fmt: skip
        assert sent == []

    def test_it_never_queues_an_export_twice(self, user, sent):
        job = export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale())
        lost = ExportJob.lost_worker_condition(timezone.now())
        seen_by_a_second_sweep = ExportJob.objects.get(lost)
        with committed():
            jobs.fail_stuck_jobs()
            jobs.fail_stuck_jobs()
            assert jobs._settle_lost(seen_by_a_second_sweep, lost) == ""
        assert [job_id for job_id, _ in sent] == [str(job.pk)]
        assert fresh(job).status == JobStatus.QUEUED

    @both_kinds
    def test_it_fails_jobs_that_never_started(self, make, user, sent):
        past = timezone.now() - jobs.stuck_window() - datetime.timedelta(minutes=1)
        within = timezone.now() - jobs.stuck_window() + datetime.timedelta(minutes=1)
        never = make(owner=user, status=JobStatus.QUEUED, created_at=past)
        waiting = make(owner=user, status=JobStatus.QUEUED, created_at=within)
        assert jobs.fail_stuck_jobs() == {"requeued": 0, "failed": 1}
        error = type(never).never_started_error
        assert (fresh(never).status, fresh(never).error) == ("failed", error)
        assert (fresh(waiting).status, fresh(waiting).finished_at) == ("queued", None)

    def test_it_sweeps_both_kinds_from_beat(self, user, sent):
        export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale())
        import_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale())
        assert jobs.fail_stuck_jobs.name == "meditation.fail_stuck_jobs"
        assert jobs.fail_stuck_jobs.delay().get() == {"requeued": 1, "failed": 1}
        schedule = settings.CELERY_BEAT_SCHEDULE["fail-stuck-jobs"]
        assert schedule["task"] == "meditation.fail_stuck_jobs"
        assert schedule["schedule"] == datetime.timedelta(seconds=settings.JOB_SWEEP_SECONDS)

    def test_a_failed_export_can_be_retried(self, signed_in, user, settings):
        settings.EXPORT_MAX_ATTEMPTS = 1
        job = export_job(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale(), attempts=1)
        jobs.fail_stuck_jobs()
        page = signed_in.get("/exports/").content.decode()
        assert ExportJob.interrupted_error in page
        assert f'action="/exports/{job.pk}/retry/"' in page
