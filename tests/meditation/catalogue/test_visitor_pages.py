"""Visitors' catalogue pages answered whole from the cache (issue 13): no query and no template
on the second request, every variant kept apart, nobody else's page ever stored. A curator's
edit showing on the next request: test_page_cache.py."""

import dataclasses
import gzip

import pytest
from django.test import Client

from aysekai_site.platform import response_cache
from meditation.catalogue import views
from meditation.models import DivineName
from tests.rendering import rendered

pytestmark = pytest.mark.django_db

PAGES = ["/", "/names/", "/names/?q=mercy", "/names/7/", "/about/"]
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
HX = {"HTTP_HX_REQUEST": "true"}


# --- What a stored page costs -------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_the_second_visitor_request_costs_no_query_and_renders_nothing(
    visitor, shared_versions, django_assert_num_queries, url
):
    assert rendered(visitor.get(url))
    with django_assert_num_queries(0):
        again = visitor.get(url)
    assert again.status_code == 200
    assert not rendered(again)


@pytest.mark.parametrize("url", PAGES)
def test_with_a_process_local_cache_a_stored_page_costs_the_version_query(
    visitor, local_versions, django_assert_num_queries, url
):
    first = visitor.get(url)
    with django_assert_num_queries(0 if url == "/about/" else 1):  # about shows no names
        again = visitor.get(url)
    assert not rendered(again)
    assert again.content == first.content


def test_another_process_is_answered_from_the_shared_cache(shared_versions):
    """A client is a process here: its middleware has its own copies, the cache is shared."""
    Client().get("/names/")
    response = Client().get("/names/")
    assert not rendered(response)
    assert "All 99 names." in response.content.decode()


# --- Nobody else's page --------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_person_never_gets_a_stored_page_and_stores_none(
    visitor, signed_in, shared_versions, url
):
    visitor.get(url)
    for _ in range(2):
        response = signed_in.get(url)
        assert rendered(response)
        assert "Sign out" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    signed_in.logout()
    DivineName.objects.filter(number=1).update(meaning="After the sign-out")  # a new version
    signed_in.get(url)  # no session cookie left: the page is stored for the visitors
    page = signed_in.get(url)
    assert not rendered(page)
    assert "Sign out" not in page.content.decode()


def test_a_signed_in_request_stores_nothing_for_visitors(visitor, signed_in, shared_versions):
    signed_in.get("/names/")
    signed_in.get("/names/")
    assert rendered(visitor.get("/names/"))


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_with_messages_waiting_gets_a_rendered_page_never_stored(
    visitor, shared_versions, url
):
    visitor.cookies["messages"] = "anything"
    assert rendered(visitor.get(url))
    assert rendered(visitor.get(url))
    assert rendered(Client().get(url))  # nothing was stored by them


# --- Variants ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_gzip_and_identity_are_stored_apart_and_each_is_right(visitor, shared_versions, url):
    plain, zipped = visitor.get(url), visitor.get(url, **GZIP)
    assert rendered(zipped)  # a variant of its own
    stored_plain, stored_zipped = visitor.get(url), visitor.get(url, **GZIP)
    assert not rendered(stored_plain)
    assert not rendered(stored_zipped)
    assert "Content-Encoding" not in stored_plain
    assert stored_plain.content == plain.content
    assert stored_plain.content.startswith(b"<!doctype html>")
    assert stored_zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(stored_zipped.content) == plain.content
    assert stored_zipped["Content-Length"] == str(len(stored_zipped.content))
    assert "Accept-Encoding" in stored_zipped["Vary"]


def test_the_htmx_fragment_and_the_page_are_stored_apart(visitor, shared_versions):
    url = "/names/?q=mercy"
    page, fragment = visitor.get(url), visitor.get(url, **HX)
    assert rendered(fragment)
    stored_page, stored_fragment = visitor.get(url), visitor.get(url, **HX)
    assert not rendered(stored_page)
    assert not rendered(stored_fragment)
    assert stored_page.content == page.content
    assert stored_fragment.content == fragment.content
    assert b"<html" in stored_page.content
    assert b"<html" not in stored_fragment.content
    assert b'id="results"' in stored_fragment.content
    assert "HX-Request" in stored_fragment["Vary"]
    # htmx restoring its history wants the whole page.
    restore = visitor.get(url, **HX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert restore.content == page.content


def test_the_home_page_is_stored_per_day(visitor, shared_versions, monkeypatch):
    import datetime

    monkeypatch.setattr(views, "_utc_today", lambda: datetime.date(2030, 1, 1))
    first = visitor.get("/")
    assert not rendered(visitor.get("/"))
    monkeypatch.setattr(views, "_utc_today", lambda: datetime.date(2030, 1, 2))
    following = visitor.get("/")
    assert rendered(following)
    assert following.content != first.content


# --- Validators and HEAD -------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_stored_page_answers_its_etag_with_a_304(
    visitor, shared_versions, django_assert_num_queries, url
):
    etag = visitor.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert not rendered(response)
    assert response.content == b""
    assert response["ETag"] == etag
    assert "Cookie" in response["Vary"]
    assert "Content-Type" not in response
    assert "Content-Security-Policy" in response
    another = visitor.get(url, HTTP_IF_NONE_MATCH='W/"another-copy"')
    assert another.status_code == 200
    assert another.content


@pytest.mark.parametrize("url", PAGES)
def test_head_is_answered_from_the_stored_page_without_its_body(visitor, shared_versions, url):
    page = visitor.get(url)
    response = visitor.head(url)
    assert response.status_code == 200
    assert not rendered(response)
    assert response.content == b""
    assert response["Content-Length"] == str(len(page.content))
    assert response["ETag"] == page["ETag"]


def test_a_head_request_stores_the_page_for_the_next_get(visitor, shared_versions):
    visitor.head("/names/1/")
    response = visitor.get("/names/1/")
    assert not rendered(response)
    assert "<article" in response.content.decode()


# --- The headers of a stored page ----------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_stored_page_has_the_csp_and_every_security_header(visitor, shared_versions, url):
    first = visitor.get(url)
    response = visitor.get(url)
    assert not rendered(response)
    assert response["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # The middleware outside the cache runs for every request.
    assert response["X-Request-ID"] != first["X-Request-ID"]
    assert response["Content-Type"] == "text/html; charset=utf-8"


# --- Searches ------------------------------------------------------------------------------


@pytest.fixture
def budget_of_two(monkeypatch):
    policy = getattr(views.name_list, response_cache.POLICY)
    monkeypatch.setattr(
        views.name_list, response_cache.POLICY, dataclasses.replace(policy, queries=2)
    )


def test_only_so_many_new_searches_are_stored(visitor, shared_versions, budget_of_two):
    for query in ("mercy", "light"):
        visitor.get(f"/names/?q={query}")
        assert not rendered(visitor.get(f"/names/?q={query}"))
    visitor.get("/names/?q=wise")
    over = visitor.get("/names/?q=wise")
    assert rendered(over)  # over the budget: rendered, as without the cache
    assert "Names matching “<bdi>wise</bdi>”" in over.content.decode()
    visitor.get("/names/")
    assert not rendered(visitor.get("/names/"))  # the bare list is not a new query
    assert not rendered(visitor.get("/names/?q=mercy"))  # what was stored stays


def test_an_edit_refreshes_a_stored_search_within_a_spent_budget(
    visitor, shared_versions, budget_of_two
):
    for query in ("mercy", "light"):
        visitor.get(f"/names/?q={query}")
    DivineName.objects.filter(number=7).update(meaning="Mercy renewed")
    assert "Mercy renewed" in visitor.get("/names/?q=mercy").content.decode()
    assert not rendered(visitor.get("/names/?q=mercy"))  # replaced, not a new entry


def test_an_invalid_query_is_never_stored(visitor, shared_versions):
    url = "/names/?q=" + "a" * 101  # longer than the form allows
    assert "at most 100 characters" in visitor.get(url).content.decode()
    assert rendered(visitor.get(url))


@pytest.mark.parametrize("url", ["/about/?utm_source=x", "/names/7/?x=1", "/?day=tomorrow"])
def test_a_page_that_reads_no_query_is_not_stored_with_one(visitor, shared_versions, url):
    assert rendered(visitor.get(url))
    assert rendered(visitor.get(url))


# --- The cache down ------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_with_the_cache_down_the_page_is_rendered(visitor, cache_down, url):
    first = visitor.get(url)
    assert first.status_code == 200
    assert rendered(first)
    assert "<h1" in first.content.decode()
    # Then this process's own copy, checked against the version read from the database.
    again = visitor.get(url)
    assert again.status_code == 200
    assert again.content == first.content


def test_with_the_cache_down_an_edit_still_shows(visitor, cache_down):
    visitor.get("/names/7/")
    DivineName.objects.filter(number=7).update(meaning="Edited while Redis was away")
    assert "Edited while Redis was away" in visitor.get("/names/7/").content.decode()
