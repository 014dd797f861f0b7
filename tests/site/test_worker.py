"""A real Celery worker answers through the configured broker.

With no broker configured this is kombu's filesystem transport under var/ (what `make run`
starts); CI's second stage runs it again against Redis.
"""

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from typing import IO

import pytest
from celery.result import AsyncResult
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from kombu.exceptions import OperationalError

from aysekai_site.celery import app
from aysekai_site.platform.request_context import current_request
from aysekai_site.tasks import ping
from tests import ROOT

BASE_DIR = ROOT


@pytest.fixture
def not_eager():
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def current_database_url() -> str:
    """The URL of the database this test run uses, for a worker to share it."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def running_worker(django_db_blocker, stderr: IO[str] | None = None, **env: str):
    """A worker process on this run's database, with these extra environment variables."""
    for folder in ("queue", "processed", "results"):
        (BASE_DIR / "var" / "celery" / folder).mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        database_url = current_database_url()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", "DATABASE_URL": database_url, **env}
    # Workers log through Django's LOGGING: LOG_LEVEL, not --loglevel, sets how much they say.
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "aysekai_site", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR, env=env, stderr=stderr,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def worker(not_eager, django_db_blocker):
    with running_worker(django_db_blocker, LOG_LEVEL="WARNING") as process:
        yield process


def test_it_runs_a_task_on_a_real_worker(worker):
    assert ping.delay().get(timeout=60) == "pong"


def test_it_logs_json_lines_with_the_queuing_requests_id_on_a_real_worker(
    not_eager, django_db_blocker, tmp_path
):
    request = RequestFactory().get("/")
    request.request_id = "req-worker-0001"
    log = tmp_path / "worker.log"
    with (
        open(log, "w") as stderr,
        running_worker(django_db_blocker, stderr, LOG_FORMAT="json", LOG_LEVEL="INFO"),
    ):
        token = current_request.set(request)  # queued while that request is served
        try:
            result = ping.delay()
        finally:
            current_request.reset(token)
        assert result.get(timeout=60) == "pong"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    (done,) = [line for line in lines if f"[{result.id}] succeeded" in line["message"]]
    assert done["logger"] == "celery.app.trace"
    assert done["request_id"] == "req-worker-0001"
    assert done["task_id"] == result.id


def test_it_reports_a_live_worker(worker, capsys):
    call_command("check_worker", timeout=60)
    assert "Worker answered: pong" in capsys.readouterr().out


def test_it_reports_when_no_worker_answers(monkeypatch, not_eager):
    # A task id that no worker will ever complete: the command must time out cleanly.
    monkeypatch.setattr(ping, "delay", lambda: AsyncResult(str(uuid.uuid4()), app=app))
    with pytest.raises(CommandError, match=r"No worker answered within 0\.5 seconds"):
        call_command("check_worker", timeout=0.5)


def test_it_reports_an_unreachable_broker(monkeypatch):
    def unreachable():
        raise OperationalError("Connection refused")

    monkeypatch.setattr(ping, "delay", unreachable)
    with pytest.raises(CommandError, match="broker cannot be reached"):
        call_command("check_worker")


def test_it_reports_a_failing_worker(monkeypatch):
    class Failed:
        def get(self, timeout):
            raise RuntimeError("boom")

    monkeypatch.setattr(ping, "delay", Failed)
    with pytest.raises(CommandError, match="worker failed the ping"):
        call_command("check_worker")


@pytest.mark.django_db(transaction=True)
def test_it_purges_the_trash_on_a_real_worker(worker):
    """The periodic purge, run by a real worker against this run's database."""
    import datetime

    from django.utils import timezone

    from meditation.journal.tasks import purge_trash
    from meditation.models import MeditationSession
    from tests.factories import MeditationSessionFactory, UserFactory

    call_command("load_names", verbosity=0)
    user = UserFactory()
    old = MeditationSessionFactory(
        user=user, deleted_at=timezone.now() - datetime.timedelta(days=40)
    )
    kept = MeditationSessionFactory(user=user)
    # Tasks store no result (jobs keep their state in rows); this call asks for one.
    assert purge_trash.apply_async(ignore_result=False).get(timeout=60) == 1
    assert list(MeditationSession.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not MeditationSession.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_its_heartbeat_and_deletes_it_when_it_stops(
    not_eager, django_db_blocker
):
    import time

    from aysekai_site.models import WorkerHeartbeat

    with running_worker(django_db_blocker, LOG_LEVEL="WARNING") as process:
        deadline = time.monotonic() + 60  # it beats once ready: within seconds
        while not WorkerHeartbeat.objects.exists():
            assert process.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.2)
        row = WorkerHeartbeat.objects.get()
        assert (row.role, row.pid) == ("worker", process.pid)
        assert row.name.startswith("celery@")
    # running_worker stopped it with SIGTERM: a warm shutdown, which deletes the row.
    assert not WorkerHeartbeat.objects.exists()
