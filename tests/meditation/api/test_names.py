"""The public names API through its real URLs: every field of every name, the site's own
search, the name of the day, 404s, ETag and 304, Cache-Control, CORS on these GETs only, the
per-IP limit, and the OpenAPI 3.1 document with its page for people."""

import datetime
import json

import pytest
from django.test import Client

from meditation.catalogue.fixture import CONTENT_FIELDS
from meditation.catalogue.search import search
from meditation.catalogue.translations import with_translations
from meditation.models import DivineName, number_of_the_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client(HTTP_HOST="testserver")


def body(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_it_lists_the_99_with_every_field(api):
    response = api.get("/api/names/")
    assert response.status_code == 200
    data = body(response)
    assert data["count"] == 99
    assert data["query"] is None
    assert [n["number"] for n in data["results"]] == list(range(1, 100))
    first = data["results"][0]
    assert set(CONTENT_FIELDS) | {"number", "slug", "url"} == set(first)
    name = DivineName.objects.get(number=1)
    assert first["arabic"] == name.arabic
    assert first["dhikr_arabic"] == name.dhikr_arabic
    assert first["url"] == "http://testserver/names/1/"
    assert first["quran_references"][0] == {
        "surah": 55, "ayah": 1, "url": name.references[0]["url"]}  # fmt: skip


@pytest.mark.parametrize("query", ["mercy", "rahmaan", "الله", "يا رحمن", "47", "sabour"])
def test_a_search_finds_what_the_site_finds(api, query):
    data = body(api.get("/api/names/", {"q": query}))
    # The site's search, in every language (as the names page runs it).
    names = with_translations(DivineName.objects.order_by("number"))
    expected = [n.number for n in search(names, query)]
    assert [n["number"] for n in data["results"]] == expected
    assert data["count"] == len(expected) > 0
    assert data["query"] == query


def test_a_search_for_nothing_findable_finds_nothing_and_an_empty_one_lists_all(api):
    assert body(api.get("/api/names/", {"q": "qwertyuiop"}))["count"] == 0
    assert body(api.get("/api/names/", {"q": "'"}))["count"] == 0
    assert body(api.get("/api/names/", {"q": "  "}))["count"] == 99


def test_a_search_too_long_is_a_422(api):
    response = api.get("/api/names/", {"q": "x" * 201})
    assert response.status_code == 422
    assert body(response)["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_one_name_by_its_number(api):
    data = body(api.get("/api/names/99/"))
    assert data["number"] == 99
    assert data["transliteration"] == DivineName.objects.get(number=99).transliteration


@pytest.mark.parametrize("number", ["0", "100", "abc", "1.5", "٤", "-1", "007", "1" * 30])
def test_a_number_that_is_no_name_is_a_json_404(api, number):
    response = api.get(f"/api/names/{number}/")
    assert response.status_code == 404
    assert "the names are 1 to 99" in body(response)["detail"]


def test_the_name_of_the_day_is_the_home_pages(api):
    data = body(api.get("/api/names/of-the-day/"))
    today = datetime.datetime.now(datetime.UTC).date()
    assert data["date"] == today.isoformat()
    assert data["name"]["number"] == number_of_the_day(today)
    number, transliteration = data["name"]["number"], data["name"]["transliteration"]
    assert f"{number}. {transliteration}</p>" in api.get("/").content.decode()


@pytest.mark.parametrize("url", ["/api/names/", "/api/names/?q=mercy", "/api/names/1/",
                                 "/api/names/of-the-day/"])  # fmt: skip
def test_an_unchanged_answer_is_a_304_and_an_edit_changes_it(api, url):
    first = api.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert first["Cache-Control"].startswith("public, max-age=")
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    name = DivineName.objects.get(number=1)
    name.meaning = "The Most Merciful"
    name.save()  # a curator's edit moves the catalogue's version
    edited = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert edited.status_code == 200
    assert edited["ETag"] != etag


def test_the_name_of_the_day_is_kept_no_later_than_utc_midnight(api, monkeypatch):
    late = datetime.datetime(2026, 12, 2, 23, 59, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    response = api.get("/api/names/of-the-day/")
    assert response["Cache-Control"] == "public, max-age=30"
    assert body(response)["date"] == "2026-12-02"


def test_the_public_gets_carry_cors_and_a_preflight_is_answered(api):
    for url in ("/api/names/", "/api/names/1/", "/api/names/of-the-day/", "/api/names/100/"):
        response = api.get(url, HTTP_ORIGIN="https://prayer-times.example")
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    preflight = api.options("/api/names/1/", HTTP_ORIGIN="https://prayer-times.example",
                            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match")  # fmt: skip
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert "ETag" in preflight["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("url", ["/", "/names/", "/api/", "/api/openapi.json", "/journal/"])
def test_nothing_else_carries_cors(api, url):
    assert "Access-Control-Allow-Origin" not in api.get(url)


def test_the_api_is_limited_per_ip(api, settings):
    settings.API_RATE = "3/m"
    for _ in range(3):
        assert api.get("/api/names/1/", REMOTE_ADDR="203.0.113.7").status_code == 200
    refused = api.get("/api/names/1/", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert "Too many requests" in body(refused)["detail"]
    assert api.get("/api/names/1/", REMOTE_ADDR="203.0.113.8").status_code == 200  # another IP


def test_writing_is_not_allowed(api):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(api, method)("/api/names/1/").status_code == 405


def test_the_openapi_document_describes_every_public_route(api):
    schema = body(api.get("/api/openapi.json"))
    assert schema["openapi"].startswith("3.1")
    assert {"/api/names/", "/api/names/{number}/", "/api/names/of-the-day/"} <= set(schema["paths"])
    name = schema["components"]["schemas"]["Name"]
    assert set(CONTENT_FIELDS) | {"number", "slug", "url"} == set(name["properties"])


def test_the_page_for_people_lists_the_endpoints(api):
    html = api.get("/api/").content.decode()
    assert "<h1>The names API</h1>" in html
    for path in ("/api/names/", "/api/names/{number}/", "/api/names/of-the-day/"):
        assert f"<code>GET {path}</code>" in html
    assert 'href="/api/openapi.json"' in html


def test_the_page_for_people_refuses_writes(api):
    assert api.post("/api/").status_code == 405


def test_head_is_answered_but_only_get_is_documented(api):
    head = api.head("/api/names/1/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == api.get("/api/names/1/")["ETag"]
    schema = body(api.get("/api/openapi.json"))
    names = {path: item for path, item in schema["paths"].items() if "/names/" in path}
    assert all(set(item) == {"get"} for item in names.values())
