"""What a person is told while a job waits for a worker, or its worker has died."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meditation.models import WAITING_NOTICE as LAZY_WAITING_NOTICE
from meditation.models import ExportJob, ImportJob, JobStatus
from tests.factories import ExportJobFactory, ImportJobFactory
from tests.meditation.helpers import LOG, both_kinds

pytestmark = pytest.mark.django_db
WAITING_NOTICE = str(LAZY_WAITING_NOTICE)  # as the page shows it

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def before(seconds, now=NOW):
    return now - datetime.timedelta(seconds=seconds)


class TestRule:
    @both_kinds
    def test_a_queued_job_waits_for_a_worker_after_the_warning_time(self, make, user):
        wait = settings.JOB_WAIT_WARNING_SECONDS
        job = make(owner=user, created_at=before(wait))
        assert job.notice_at(NOW) == ""  # a worker usually takes it within a second or two
        assert job.notice_at(NOW + datetime.timedelta(seconds=1)) == WAITING_NOTICE

    @both_kinds
    def test_a_running_job_whose_heartbeat_is_stale_lost_its_worker(self, make, user):
        stale = settings.JOB_STALE_SECONDS
        job = make(owner=user, status=JobStatus.RUNNING, created_at=before(3600),
                   started_at=before(600), heartbeat_at=before(stale))  # fmt: skip
        assert job.notice_at(NOW) == ""
        assert job.notice_at(NOW + datetime.timedelta(seconds=1)) == type(job).worker_lost_notice
        job.heartbeat_at = None  # none written yet: counted from the start
        assert job.notice_at(NOW) == type(job).worker_lost_notice
        job.started_at = before(5)
        assert job.notice_at(NOW) == ""

    @both_kinds
    @pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED])
    def test_a_finished_job_has_no_notice(self, make, user, status):
        job = make(owner=user, status=status, created_at=before(3600), heartbeat_at=before(3600))
        assert job.notice_at(NOW) == ""


class TestExportsPage:
    URL = "/exports/"

    def test_it_says_a_job_waits_for_a_worker_and_keeps_polling(self, signed_in, user):
        late = timezone.now() - datetime.timedelta(seconds=settings.JOB_WAIT_WARNING_SECONDS + 1)
        ExportJobFactory(owner=user, created_at=late)
        page = signed_in.get(self.URL).content.decode()  # no JavaScript: the plain page
        assert f'<p class="notice" role="status">{WAITING_NOTICE}</p>' in page
        fragment = signed_in.get(self.URL, HTTP_HX_REQUEST="true").content.decode()
        assert WAITING_NOTICE in fragment
        assert 'hx-trigger="every 2s"' in fragment

    def test_it_says_nothing_while_a_job_is_new(self, signed_in, user):
        ExportJobFactory(owner=user)
        ExportJobFactory(owner=user, status=JobStatus.RUNNING, started_at=timezone.now())
        page = signed_in.get(self.URL).content.decode()
        assert 'role="status"' not in page
        assert 'hx-trigger="every 2s"' in page

    def test_it_says_the_worker_stopped(self, signed_in, user):
        stale = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
        ExportJobFactory(owner=user, status=JobStatus.RUNNING, heartbeat_at=stale)
        page = signed_in.get(self.URL).content.decode()
        assert str(ExportJob.worker_lost_notice) in page
        assert "it will be restarted automatically" in page
        assert WAITING_NOTICE not in page

    def test_its_queries_do_not_grow_with_the_jobs(self, signed_in, user):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert signed_in.get(self.URL).status_code == 200
            return len(captured)

        late = timezone.now() - datetime.timedelta(hours=1)
        ExportJobFactory(owner=user, created_at=late)
        one = queries()
        ExportJobFactory.create_batch(9, owner=user, created_at=late)
        ExportJobFactory.create_batch(5, owner=user, status=JobStatus.RUNNING, heartbeat_at=late)
        assert queries() == one


class TestImportReport:
    def url(self, job):
        return f"/journal/import/{job.pk}/"

    def test_it_says_an_import_waits_for_a_worker(self, signed_in, user):
        late = timezone.now() - datetime.timedelta(seconds=settings.JOB_WAIT_WARNING_SECONDS + 1)
        job = ImportJobFactory(owner=user, upload=LOG, created_at=late)
        page = signed_in.get(self.url(job)).content.decode()
        assert f'<p class="notice" role="status">{WAITING_NOTICE}</p>' in page
        assert "Waiting to start" in page
        fragment = signed_in.get(self.url(job), HTTP_HX_REQUEST="true").content.decode()
        assert WAITING_NOTICE in fragment
        assert 'hx-trigger="every 2s"' in fragment

    def test_it_says_the_worker_stopped(self, signed_in, user):
        stale = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
        job = ImportJobFactory(owner=user, upload=LOG, status=JobStatus.RUNNING, heartbeat_at=stale)
        page = signed_in.get(self.url(job)).content.decode()
        assert str(ImportJob.worker_lost_notice) in page
        assert "upload it again" in page

    def test_it_says_nothing_while_an_import_is_new(self, signed_in, user):
        job = ImportJobFactory(owner=user, upload=LOG)
        assert 'role="status"' not in signed_in.get(self.url(job)).content.decode()
