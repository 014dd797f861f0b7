"""An export survives its worker being killed: run by .ci/run whenever Redis answers.

A real worker on Redis starts an export and is killed with SIGKILL half-way. Its heartbeat goes
stale, the sweep run by a second worker's beat queues the export again, and the second worker
builds it, long before the broker's visibility timeout would redeliver the task. The job
completes and exactly one file is left.
"""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from meditation import private_files
from meditation.models import JobStatus
from tests import ROOT
from tests.site.test_worker import current_database_url

BASE_DIR = ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="needs CELERY_BROKER_URL=redis://… (the filesystem broker cannot redeliver)",
    ),
    pytest.mark.django_db(transaction=True),
]


def start_worker(env: dict[str, str], name: str, *beat: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "aysekai_site", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING", "--hostname", name,
         *beat],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_it_finishes_an_export_whose_worker_was_killed(tmp_path, django_db_blocker):
    from aysekai_site.celery import app
    from meditation.exports.tasks import build_export
    from tests.factories import ExportJobFactory, UserFactory, make_entries

    call_command("load_names", verbosity=0)
    user = UserFactory()
    make_entries(user, 3000)
    job = ExportJobFactory(owner=user, format="zip")
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_STORAGE_ROOT": str(tmp_path),
        "EXPORT_CHUNK_PAUSE": "0.15",
        "EXPORT_SOFT_TIME_LIMIT": "15",
        "EXPORT_TIME_LIMIT": "20",
        # Redelivery would come an hour late: only the heartbeat can bring the export back.
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "JOB_HEARTBEAT_SECONDS": "1",
        "JOB_STALE_SECONDS": "3",
        "JOB_SWEEP_SECONDS": "2",
    }
    # The publisher's visibility timeout is what the broker records with the message.
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    first = start_worker(env, "first@%h")
    second = None
    try:
        build_export.delay(str(job.pk))

        def running():
            job.refresh_from_db()
            return job.status == JobStatus.RUNNING and job.progress > 0

        wait_for(running, 60, "the first worker to start the export")
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-export
        first.wait(timeout=10)
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING
        assert any(p.name.endswith(".tmp") for p in (tmp_path / "exports").iterdir())

        beat = ("--beat", "--schedule", str(tmp_path / "beat-schedule"))
        second = start_worker(env, "second@%h", *beat)

        def done():
            job.refresh_from_db()
            return job.status == JobStatus.DONE

        wait_for(done, 120, "the second worker to finish the export")
    finally:
        app.conf.task_always_eager = eager
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)

    assert job.attempts == 2
    files = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert files == [f"{job.pk}.zip"]  # exactly one file, no temporaries
    with override_settings(PRIVATE_STORAGE_ROOT=tmp_path):  # where the workers wrote it
        archive = zipfile.ZipFile(
            io.BytesIO(private_files.open_plain(f"exports/{files[0]}").read())
        )
    assert archive.read("journal.csv").decode("utf-8-sig").count("\n") == 3001
    assert job.rows == 3000
