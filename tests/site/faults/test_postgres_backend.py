"""The health check of a persistent connection (aysekai_site/postgres/base.py): no round trip
while the connection is quiet, Django's `SELECT 1` once the server has ended it, so a restart of
Postgres between two requests costs neither of them (issue 13)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import environ
import psycopg
import pytest
from django.db.utils import ConnectionHandler

from aysekai_site.postgres.base import DatabaseWrapper, nothing_to_read

from .services import ThrowawayPostgres, needs_servers

pytestmark = [pytest.mark.faults, needs_servers]


@pytest.fixture
def database(postgres: ThrowawayPostgres, django_db_blocker) -> Iterator[DatabaseWrapper]:
    """A connection of its own to the throwaway server (not the tests' database)."""
    settings = environ.Env.db_url_config(postgres.url)
    settings |= {"ENGINE": "aysekai_site.postgres", "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper = ConnectionHandler({"default": settings})["default"]
    assert isinstance(wrapper, DatabaseWrapper)
    with django_db_blocker.unblock():
        yield wrapper
        wrapper.close()


@pytest.fixture
def checks(database, monkeypatch) -> list[bool]:
    """Each `SELECT 1` health check the wrapper sends, with its answer."""
    sent: list[bool] = []
    real = database.is_usable

    def counted() -> bool:
        sent.append(real())
        return sent[-1]

    monkeypatch.setattr(database, "is_usable", counted)
    return sent


def next_request(database: DatabaseWrapper) -> int:
    """What Django does between two requests, then the next request's first query."""
    database.close_if_unusable_or_obsolete()
    with database.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_quiet_connection_is_reused_without_a_round_trip(database, checks):
    first = next_request(database)
    for _ in range(3):
        assert next_request(database) == first
    assert checks == []


def test_a_connection_the_server_ended_is_checked_and_replaced(database, checks, postgres):
    first = next_request(database)
    url = postgres.url.replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    deadline = time.monotonic() + 10
    while nothing_to_read(database.connection.fileno()) and time.monotonic() < deadline:
        time.sleep(0.01)
    second = next_request(database)
    assert second != first
    assert checks == [False]  # Django's own check said so, and the connection was replaced
    assert next_request(database) == second
    assert checks == [False]


def test_a_closed_socket_falls_back_to_djangos_check(database, checks, monkeypatch):
    next_request(database)
    monkeypatch.setattr(database.connection, "fileno", lambda: -1)
    next_request(database)
    assert checks == [True]
