import pytest

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
