"""Workers' and beat's heartbeats: written by a thread in each process, read as liveness.

A real worker writing and deleting its row: tests/site/test_worker.py.
"""

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.utils import timezone

from aysekai_site import workers
from aysekai_site.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def seen(name, role, seconds_ago, now=NOW):
    return WorkerHeartbeat.objects.create(
        name=name, role=role, pid=1, seen_at=now - datetime.timedelta(seconds=seconds_ago)
    )


def down(*args, **kwargs):
    raise OperationalError("could not connect to server")


class TestBeat:
    def test_it_writes_one_row_per_process_and_keeps_it_fresh(self):
        heartbeat = workers.Heartbeat("celery@host-a", "worker")
        assert heartbeat.beat() is True
        first = WorkerHeartbeat.objects.get()
        assert heartbeat.beat() is True
        row = WorkerHeartbeat.objects.get()
        assert (row.name, row.role, row.pid) == ("celery@host-a", "worker", heartbeat.pid)
        assert row.seen_at >= first.seen_at

    def test_it_prunes_rows_unseen_for_a_day(self):
        seen("celery@gone", "worker", 0, now=timezone.now() - datetime.timedelta(days=1, seconds=1))
        seen("celery@recent", "worker", 0, now=timezone.now() - datetime.timedelta(hours=23))
        workers.Heartbeat("beat@host-a", "beat").beat()
        names = set(WorkerHeartbeat.objects.values_list("name", flat=True))
        assert names == {"celery@recent", "beat@host-a"}

    def test_a_database_outage_is_logged_once_and_survived(self, monkeypatch, caplog):
        heartbeat = workers.Heartbeat("celery@host-a", "worker")
        monkeypatch.setattr(WorkerHeartbeat.objects, "bulk_create", down)
        with caplog.at_level(logging.INFO, logger="aysekai_site.workers"):
            assert heartbeat.beat() is False
            assert heartbeat.beat() is False
            monkeypatch.undo()
            assert heartbeat.beat() is True
        messages = [(r.levelname, r.getMessage()) for r in caplog.records]
        assert messages == [
            ("WARNING", "celery@host-a cannot write its heartbeat: "
             "OperationalError('could not connect to server')"),
            ("INFO", "celery@host-a writes its heartbeat again"),
        ]  # fmt: skip
        assert WorkerHeartbeat.objects.filter(name="celery@host-a").exists()

    def test_stopping_deletes_the_row(self):
        heartbeat = workers.Heartbeat("celery@host-a", "worker")
        heartbeat.beat()
        heartbeat.stop()  # never started: nothing to wait for
        assert not WorkerHeartbeat.objects.exists()

    def test_no_thread_starts_in_eager_mode(self, settings):
        assert settings.CELERY_TASK_ALWAYS_EAGER
        workers._worker_ready(sender=SimpleNamespace(hostname="celery@test"))
        workers._beat_init(sender=None)
        assert workers._running == {}
        assert not WorkerHeartbeat.objects.exists()


class TestLiveness:
    def test_it_counts_fresh_rows_by_role(self, settings):
        settings.WORKER_STALE_SECONDS = 60
        seen("celery@a", "worker", 5)
        seen("celery@b", "worker", 61)  # died a minute ago
        seen("beat@a", "beat", 20)
        assert workers.liveness(NOW) == {
            "worker": {"alive": 1, "last_seen": NOW - datetime.timedelta(seconds=5)},
            "beat": {"alive": 1, "last_seen": NOW - datetime.timedelta(seconds=20)},
        }

    def test_it_knows_no_process_without_rows(self):
        seen("celery@gone", "worker", 3600)
        assert workers.liveness(NOW) == {
            "worker": {"alive": 0, "last_seen": NOW - datetime.timedelta(hours=1)},
            "beat": {"alive": 0, "last_seen": None},
        }
