"""Hostile values in every form field and query parameter of every page: never a 5xx, and
nothing echoed unescaped. Visitors, signed-in people and staff alike.

The forms and parameters are those of the URL table in docs/architecture.md. Each field gets
every value (tests/site/hostile.py) while the other fields hold valid ones, so that the value
goes as deep as a valid form would take it, and then two values at once (`?q=a&q=b`).
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core.cache import cache

from .hostile import (
    ANSWER,
    FINISH,
    LEARNING,
    MEDITATE,
    NAME_ONE,
    NEW_PASSWORDS,
    RECITE,
    SETTINGS,
    SIGN_IN,
    SIGN_UP,
    VALUES,
    VISITOR_ANSWER,
    Form,
    World,
    one_field_at_a_time,
    problems_of,
)  # fmt: skip

pytestmark = pytest.mark.django_db


def case(form: Form, name: str = "", marks=()):
    label = name or f"{form.who}: {form.method.upper()} {form.url}"
    return pytest.param(form, id=label + (" (htmx)" if form.htmx else ""), marks=marks)


# fmt: off
MEDITATE_CHOICES = ("length", "interval_bell", "dhikr_target", "end_bell")
MEDITATING = {"fields": ("intention", "number", "custom_minutes"), "data": MEDITATE,
              "together": MEDITATE_CHOICES}
FINISHING = {"fields": ("reflection", "dhikr_count", "minutes", "elapsed_seconds"),
             "data": FINISH, "together": ("mood",)}
PASSWORD = "a long test passphrase"
FORMS = [
    case(Form("visitor", "/meditate/", **MEDITATING)),
    case(Form("user", "/meditate/", **MEDITATING)),
    case(Form("visitor", "/meditate/{visit}/finish/", **FINISHING)),
    case(Form("user", "/meditate/{sitting}/finish/", **FINISHING)),
    case(Form("visitor", "/meditate/{visit}/dhikr/", ("count",), htmx=True)),
    case(Form("user", "/meditate/{sitting}/dhikr/", ("count",))),
    case(Form("user", "/learn/answer/", ("number", "direction", "seen", "answer", "felt"), ANSWER)),
    case(Form("user", "/learn/answer/", ("answer",), ANSWER, htmx=True)),
    case(Form("visitor", "/learn/answer/", ("answer", "seen", "round"), VISITOR_ANSWER)),
    case(Form("visitor", "/learn/recite/", ("after", "name_1", "name_5"), RECITE)),
    case(Form("user", "/learn/settings/", ("new_per_day",), LEARNING, together=("directions",))),
    case(Form("user", "/journal/{entry}/edit/", ("reflection",), {"reflection": "r"},
              together=("mood",))),
    case(Form("user", "/journal/{entry}/edit/", ("reflection",), htmx=True)),
    case(Form("user", "/journal/{entry}/delete/", ("next",))),
    case(Form("user", "/journal/{binned}/restore/", ("next",))),
    case(Form("user", "/journal/import/", ("file",))),
    case(Form("user", "/exports/", ("date_from", "date_to"), {"format": "json"},
              together=("format",))),
    case(Form("user", "/exports/{export}/retry/", ("format",))),
    case(Form("user", "/accounts/settings/", ("display_name", "dhikr_target"), SETTINGS,
              together=("time_zone", "theme", "show_streaks", "default_session_minutes",
                        "language", "arabic_indic_digits"))),
    case(Form("user", "/accounts/settings/tokens/", ("name", "current_password"),
              {"name": "laptop", "current_password": PASSWORD})),
    case(Form("user", "/accounts/settings/email/", ("email", "current_password"),
              {"email": "other@example.com", "current_password": PASSWORD})),
    case(Form("user", "/accounts/password_change/", ("old_password", *NEW_PASSWORDS),
              {"old_password": PASSWORD, **NEW_PASSWORDS})),
    case(Form("user", "/accounts/two_factor/setup/", ("token", "current_password"),
              {"token": "123456", "current_password": PASSWORD})),
    case(Form("user with 2fa", "/accounts/two_factor/disable/", ("current_password", "token"),
              {"current_password": "not the password"})),
    case(Form("user with 2fa", "/accounts/two_factor/backup_codes/", ("current_password",))),
    case(Form("user", "/accounts/delete/", ("current_password",),
              {"current_password": "not the password", "confirm": "on"}, together=("confirm",))),
    case(Form("user", "/accounts/logout/", ("next",))),
    case(Form("visitor", "/accounts/signup/", ("email", "password1", "password2"), SIGN_UP,
              fresh_client=True)),
    case(Form("visitor", "/accounts/signup/", ("next",), SIGN_UP, fresh_client=True),
         "visitor: POST /accounts/signup/ next"),
    case(Form("visitor", "/accounts/login/", ("username", "password"), SIGN_IN,
              fresh_client=True)),
    case(Form("visitor", "/accounts/login/", ("next",), SIGN_IN, fresh_client=True),
         "visitor: POST /accounts/login/ next"),
    case(Form("signing in with 2fa", "/accounts/login/verify/", ("token",), {"token": "1"})),
    case(Form("visitor", "/accounts/password_reset/", ("email",), {"email": "{email}"})),
    case(Form("visitor with a reset link", "/accounts/password_reset/{uid}/set-password/",
              tuple(NEW_PASSWORDS), {"new_password1": "x"})),
    case(Form("staff", "/admin/meditation/divinename/{name}/change/",
              ("transliteration", "quran_references"), NAME_ONE,
              together=("arabic", "verse_arabic", "dhikr"))),
]

# Django's admin passes a filter's raw text to the field: a naive datetime is a warning (an
# error in this suite), not a failure, in production.
NAIVE = pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
QUERIES = [
    case(Form("visitor", "/names/", ("q",), method="get")),
    case(Form("user", "/names/", ("q",), method="get", htmx=True)),
    case(Form("visitor", "/meditate/", ("name",), method="get")),
    case(Form("user", "/meditate/", ("name",), method="get")),
    case(Form("visitor", "/learn/", ("name",), method="get")),
    case(Form("visitor", "/api/names/", ("q",), method="get")),
    case(Form("user", "/learn/", ("name",), method="get")),
    case(Form("user", "/learn/recite/", ("after",), method="get")),
    case(Form("user", "/journal/", ("q", "name", "from", "to", "mood", "page"), method="get")),
    case(Form("user", "/journal/", ("q", "page"), {"q": "reflection"}, method="get")),
    case(Form("user", "/journal/trash/", ("page",), method="get")),
    case(Form("user", "/exports/", ("page",), method="get", htmx=True)),
    case(Form("visitor", "/accounts/login/", ("next",), method="get")),
    case(Form("visitor", "/accounts/signup/", ("next",), method="get")),
    case(Form("visitor", "/admin/login/", ("next",), method="get")),
    case(Form("staff", "/admin/meditation/exportjob/", ("q", "o", "p", "status__exact"),
              method="get")),
    case(Form("staff", "/admin/accounts/auditevent/",
              ("q", "created_at__year", "created_at__month", "created_at__gte", "actor__id__exact"),
              {"created_at__year": "2026"}, method="get"), marks=[NAIVE]),
    case(Form("staff", "/admin/accounts/user/", ("q", "o", "last_login__gte"), method="get"),
         marks=[NAIVE]),
    case(Form("staff", "/admin/meditation/divinename/", ("q",), method="get")),
    case(Form("staff", "/admin/meditation/meditationsession/",
              ("started_at__year", "started_at__day"), {"started_at__year": "2026",
              "started_at__month": "3"}, method="get")),
]

PAGES = [
    ("visitor", "/"), ("visitor", "/names/"), ("visitor", "/names/1/"), ("visitor", "/about/"),
    ("visitor", "/meditate/"), ("visitor", "/meditate/{visit}/"), ("user", "/meditate/{sitting}/"),
    ("user", "/journal/"), ("user", "/journal/{entry}/"), ("user", "/journal/{entry}/edit/"),
    ("user", "/journal/trash/"), ("user", "/journal/stats/"), ("user", "/journal/import/"),
    ("user", "/journal/import/{import}/"), ("user", "/exports/"),
    ("user", "/exports/{done_export}/download/"), ("user", "/accounts/settings/"),
    ("user", "/accounts/settings/email/"), ("user", "/accounts/password_change/"),
    ("user", "/accounts/settings/tokens/"),
    ("user", "/accounts/two_factor/"), ("user", "/accounts/two_factor/setup/"),
    ("user", "/accounts/delete/"), ("visitor", "/learn/"), ("user", "/learn/"),
    ("user", "/learn/settings/"), ("visitor", "/learn/recite/"),
    ("visitor", "/accounts/password_reset/"), ("visitor", "/api/"), ("visitor", "/api/names/"),
    ("visitor", "/api/names/1/"), ("visitor", "/api/names/of-the-day/"),
    ("visitor", "/accounts/password_reset/done/"),
    ("visitor", "/accounts/password_reset/complete/"), ("visitor", "/healthz"),
    ("visitor", "/readyz"), ("visitor", "/metrics"), ("staff", "/admin/"),
    ("visitor", "/jsi18n/"), ("user", "/ar/jsi18n/"),
]

PATHS = [
    "/names/{v}/", "/api/names/{v}/", "/journal/{v}/", "/journal/{v}/edit/",
    "/exports/{v}/download/",
    "/meditate/{v}/", "/journal/import/{v}/", "/accounts/password_reset/{v}/{v}/",
    "/admin/meditation/exportjob/{v}/change/", "/admin/accounts/user/{v}/change/",
    "/admin/meditation/divinename/{v}/history/",
]

HEADERS = [
    "HTTP_X_REQUEST_ID", "HTTP_X_FORWARDED_FOR", "HTTP_HX_REQUEST", "HTTP_HX_CURRENT_URL",
    "HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE", "HTTP_REFERER", "HTTP_COOKIE",
]
# fmt: on


@pytest.fixture(autouse=True)
def generous_limits(settings):
    """Rate limits and lockouts answer 429 (which is fine); lifted, the values go deeper."""
    settings.SIGNUP_RATE = settings.PASSWORD_RESET_RATE = "1000000/h"
    settings.AXES_FAILURE_LIMIT = 1_000_000
    yield
    cache.clear()  # the rate limits' counts, far past the real limits, must not outlive the test


@pytest.fixture
def world(db):
    return World()


@pytest.mark.parametrize("form", FORMS)
def test_no_form_field_gives_a_5xx_or_echoes_a_value_raw(world, form):
    problems = world.attack(form, one_field_at_a_time(form))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("form", QUERIES)
def test_no_query_parameter_gives_a_5xx_or_echoes_a_value_raw(world, form):
    problems = world.attack(form, one_field_at_a_time(form))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("who", "url"), PAGES, ids=[f"{w}: {u}" for w, u in PAGES])
def test_no_page_minds_unexpected_parameters(world, who, url):
    junk = [(f"p{n}", value) for n, value in enumerate(VALUES)] + [("page", "%00")] * 2
    form = Form(who, url, (), method="get")
    problems = world.attack(form, [("every value at once", junk)])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS)
def test_no_hostile_path_segment_gives_a_5xx(world, path):
    client = world.client("staff")
    problems = []
    for value in [*VALUES, "0", "100", "1" * 40, "%2e%2e", "%2f"]:
        if len(value) > 2000:
            continue  # no proxy passes a path segment this long
        url = path.replace("{v}", value)
        problems += problems_of(client.get(url), f"GET {url[:80]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("header", HEADERS)
def test_no_hostile_header_gives_a_5xx(world, header):
    client = world.client("user")
    problems = []
    for value in VALUES:
        text = unquote(value, encoding="latin-1")  # headers arrive as latin-1: the bytes as sent
        response = client.get("/journal/", **{header: text})
        problems += problems_of(response, f"{header}={value[:40]}")
    assert not problems, "\n".join(problems)


def test_no_hostile_metrics_token_gives_a_5xx(world):
    client = world.client("visitor")
    problems = []
    for value in VALUES:
        text = unquote(value, encoding="latin-1")
        for header in (text, f"Bearer {text}"):
            response = client.get("/metrics", HTTP_AUTHORIZATION=header)
            problems += problems_of(response, f"Authorization: {header[:40]}")
    assert not problems, "\n".join(problems)


def test_the_admin_refuses_a_search_or_date_it_cannot_run_with_a_message(world):
    client = world.client("staff")
    url = "/admin/accounts/user/"
    for query in ({"q": "x" * 201}, {"q": "word " * 21}):
        response = client.get(url, query, follow=True)
        assert response.redirect_chain == [(url, 302)]
        assert "Search for at most 200 characters and 20 words." in response.content.decode()
    refused = client.get("/admin/accounts/auditevent/", {"created_at__year": "9" * 20}, follow=True)
    assert "That date is not one the admin can show." in refused.content.decode()
    assert client.get(url, {"q": "word " * 20}).status_code == 200  # within the bounds: runs


def test_a_names_history_in_the_admin_is_a_404_for_an_id_that_is_no_number(world):
    client = world.client("staff")
    assert client.get("/admin/meditation/divinename/abc/history/").status_code == 404
    assert (
        client.get(f"/admin/meditation/divinename/{world.known['name']}/history/").status_code
        == 200
    )
