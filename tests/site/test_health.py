import datetime

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError
from django.utils import timezone

from aysekai_site import health

pytestmark = pytest.mark.django_db


def test_it_is_alive_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_is_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {
        "database": "ok", "cache": "ok", "broker": "ok", "migrations": "ok",
    }  # fmt: skip


@pytest.mark.parametrize("part", ["database", "cache", "broker", "migrations"])
def test_it_answers_503_naming_the_failing_part(client, monkeypatch, part):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, part, broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == [part]
    assert body["checks"][part] == "fail: ConnectionError"


def test_it_notices_unapplied_migrations(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    with pytest.raises(RuntimeError, match="migrations are not applied"):
        health.check_migrations()


def test_it_notices_an_unreachable_broker(monkeypatch):
    from kombu import Connection

    from aysekai_site.celery import app

    # Nothing listens on port 1.
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    with pytest.raises(Exception):  # noqa: B017, PT011  (kombu's connection error)
        health.check_broker()


def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


class TestWorkers:
    """Whether workers and beat are alive: reported, never a reason to be unready."""

    def seen(self, name, role, seconds_ago):
        from aysekai_site.models import WorkerHeartbeat

        at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
        WorkerHeartbeat.objects.create(name=name, role=role, pid=1, seen_at=at)
        return at

    def test_it_reports_no_workers_and_is_still_ready(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["workers"] == {
            "worker": {"alive": 0, "last_seen": None},
            "beat": {"alive": 0, "last_seen": None},
        }

    def test_it_reports_live_and_stale_processes(self, client, settings):
        worker = self.seen("celery@a", "worker", 5)
        self.seen("celery@b", "worker", settings.WORKER_STALE_SECONDS + 1)
        beat = self.seen("beat@a", "beat", settings.WORKER_STALE_SECONDS + 1)
        response = client.get("/readyz")
        assert response.status_code == 200
        workers = response.json()["workers"]
        assert workers["worker"]["alive"] == 1
        assert workers["beat"]["alive"] == 0
        assert workers["worker"]["last_seen"] == DjangoJSONEncoder().default(worker)
        assert workers["beat"]["last_seen"] == DjangoJSONEncoder().default(beat)

    def test_it_keeps_a_failing_check_failing_with_live_workers(self, client, monkeypatch):
        self.seen("celery@a", "worker", 1)
        monkeypatch.setitem(health.CHECKS, "cache", self.broken)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["workers"]["worker"]["alive"] == 1

    def test_it_says_unknown_when_the_database_is_down(self, client, monkeypatch):
        from aysekai_site import workers

        monkeypatch.setitem(health.CHECKS, "database", self.broken)
        monkeypatch.setitem(health.CHECKS, "migrations", self.broken)
        monkeypatch.setattr(workers, "liveness", self.broken)  # it is not even asked
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["workers"] == "unknown"

    def test_it_says_unknown_when_the_heartbeats_cannot_be_read(self, client, monkeypatch, caplog):
        from aysekai_site import workers

        monkeypatch.setattr(workers, "liveness", self.broken)
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["workers"] == "unknown"
        assert "worker liveness unknown" in caplog.text

    @staticmethod
    def broken(*args):
        raise OperationalError("could not connect to server")
