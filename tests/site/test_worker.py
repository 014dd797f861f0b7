"""A real Celery worker answers through the configured broker.

With no broker configured this is kombu's filesystem transport under var/ (what `make run`
starts); CI's second stage runs it again against Redis.
"""

import os
import subprocess
import sys
import uuid

import pytest
from celery.result import AsyncResult
from django.core.management import CommandError, call_command
from kombu.exceptions import OperationalError

from aysekai_site.celery import app
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


@pytest.fixture
def worker(not_eager, django_db_blocker):
    for folder in ("queue", "processed", "results"):
        (BASE_DIR / "var" / "celery" / folder).mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        database_url = current_database_url()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", "DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "aysekai_site", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_it_runs_a_task_on_a_real_worker(worker):
    assert ping.delay().get(timeout=60) == "pong"


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
    assert purge_trash.delay().get(timeout=60) == 1
    assert list(MeditationSession.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not MeditationSession.objects.filter(pk=old.pk).exists()
