"""A database outage is the 503 "back soon" page for everyone, and passes by itself.

Every query fails here, as when Postgres is stopped: the session, the user and the view's own
queries alike. The fault-injection suite (tests/site/faults/) stops a real Postgres.
"""

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


class Down:
    """Makes every query on the connection fail while `on`."""

    def __init__(self) -> None:
        self.on = False

    def __call__(self, execute, sql, params, many, context):
        if self.on:
            raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")
        return execute(sql, params, many, context)


@pytest.fixture
def database():
    down = Down()
    with connection.execute_wrapper(down):
        yield down


@pytest.fixture
def visitor():
    # The test client re-raises a request's exception by default; a browser gets the page.
    return Client(raise_request_exception=False)


@pytest.fixture
def person(visitor, user):
    visitor.force_login(user)
    return visitor


def assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "taking a short pause" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/names/", "/names/1/"])
def test_a_visitor_gets_the_503_page(visitor, database, path):
    database.on = True
    assert_outage_page(visitor.get(path))


@pytest.mark.parametrize(
    "path", ["/", "/journal/", "/journal/stats/", "/meditate/", "/exports/", "/accounts/settings/"]
)
def test_a_signed_in_person_gets_the_503_page_not_a_500(person, database, path):
    # The session is read from the database by a middleware, before any view runs.
    database.on = True
    assert_outage_page(person.get(path))


def test_a_form_sent_during_the_outage_gets_the_503_page(person, user, database):
    database.on = True
    assert_outage_page(person.post("/exports/", {"format": "csv"}))
    signing_in = {"username": user.email, "password": "whatever it is"}
    assert_outage_page(Client(raise_request_exception=False).post("/accounts/login/", signing_in))


def test_the_same_session_is_served_again_once_the_database_is_back(person, database):
    database.on = True
    assert_outage_page(person.get("/journal/"))
    database.on = False
    response = person.get("/journal/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


def test_health_still_answers_and_readiness_names_the_database(visitor, database):
    database.on = True
    assert visitor.get("/healthz").status_code == 200
    ready = visitor.get("/readyz")
    assert ready.status_code == 503
    assert "database" in ready.json()["failing"]


def test_any_other_error_is_still_the_500_page(visitor, monkeypatch):
    from meditation.catalogue import views

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views, "search", broken)
    response = visitor.get("/names/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_database_error_raised_from_another_is_the_503_page(visitor, monkeypatch):
    from meditation.catalogue import views

    def wrapped(*args, **kwargs):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as error:
            raise RuntimeError("rendering failed") from error

    monkeypatch.setattr(views, "search", wrapped)
    assert_outage_page(visitor.get("/names/"))


PAGES_IN = [
    ("/ar/names/1/", '<html lang="ar" dir="rtl"'),
    ("/tr/journal/", '<html lang="tr" dir="ltr"'),
]


@pytest.mark.parametrize(("path", "tag"), PAGES_IN)
def test_the_503_page_is_in_the_language_and_direction_of_its_path(person, database, path, tag):
    database.on = True
    response = person.get(path)
    assert response.status_code == 503
    assert response.content.decode().startswith(f"<!doctype html>\n{tag}")


def test_a_500_page_is_in_the_language_and_direction_of_its_path(visitor, monkeypatch):
    from meditation.catalogue import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", broken)
    response = visitor.get("/ar/about/")
    assert response.status_code == 500
    assert '<html lang="ar" dir="rtl"' in response.content.decode()
