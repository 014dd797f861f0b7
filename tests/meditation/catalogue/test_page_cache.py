"""The catalogue pages' cached markup and validators (issue 13): a curator's edit shows at once,
a first visit reads the names once, and a visitor's copy is revalidated with its ETag, nobody
else's. The whole stored pages: test_visitor_pages.py."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client

from meditation.catalogue import views
from meditation.models import CATALOGUE_VERSION, DivineName, number_of_the_day
from tests.meditation.catalogue.test_admin import name_form
from tests.rendering import rendered

pytestmark = pytest.mark.django_db

ADMIN = "/admin/meditation/divinename/"
PAGES = ["/", "/names/", "/names/?q=mercy", "/names/7/", "/about/"]


def shows(client, url, text):
    return text in client.get(url).content.decode()


# --- A curator's edit shows at once -----------------------------------------------------


@pytest.mark.parametrize("url", ["/names/7/", "/names/", "/names/?q=wise"])
def test_an_edit_in_the_admin_shows_on_the_next_page(staff_client, visitor, versions, url):
    name = DivineName.objects.get(number=7)
    assert not shows(visitor, url, "The Ever-Watchful")  # cached before the edit
    response = staff_client.post(
        f"{ADMIN}{name.pk}/change/", name_form(name, meaning="The Ever-Watchful")
    )
    assert response.status_code == 302
    assert shows(visitor, url.replace("wise", "watchful"), "The Ever-Watchful")


def test_a_revert_through_the_history_shows_at_once(staff_client, visitor, versions):
    name = DivineName.objects.get(number=3)
    original = name.meaning
    staff_client.post(f"{ADMIN}{name.pk}/change/", name_form(name, meaning="Typo King"))
    assert shows(visitor, "/names/3/", "Typo King")
    first = name.history.order_by("history_date").first()
    staff_client.post(
        f"{ADMIN}{name.pk}/history/{first.history_id}/", name_form(name, meaning=original)
    )
    page = visitor.get("/names/3/").content.decode()
    assert original in page
    assert "Typo King" not in page


def test_an_edit_in_the_admin_shows_in_every_process(staff_client, versions):
    """A client is a process here: its middleware keeps its own copies; the cache is shared."""
    one, two = Client(), Client()
    for client in (one, two):
        client.get("/names/7/")
        assert not rendered(client.get("/names/7/"))
    name = DivineName.objects.get(number=7)
    response = staff_client.post(f"{ADMIN}{name.pk}/change/", name_form(name, meaning="Edited"))
    assert response.status_code == 302
    for client in (one, two):
        assert shows(client, "/names/7/", "Edited")


@pytest.mark.parametrize("url", ["/", "/names/", "/names/7/"])
def test_a_queryset_update_shows_on_the_next_request(visitor, versions, url):
    visitor.get(url)
    assert not rendered(visitor.get(url))  # stored
    DivineName.objects.update(meaning="Everywhere at once")
    assert shows(visitor, url, "Everywhere at once")


def test_the_version_moves_again_when_the_edit_commits(
    shared_versions, django_capture_on_commit_callbacks
):
    """A page another process rendered between the write and its commit (so without the
    write) is retired by the second move."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        DivineName.objects.filter(number=7).update(meaning="Not yet committed")
        during = CATALOGUE_VERSION.current()
    assert len(callbacks) == 1
    callbacks[0]()
    assert CATALOGUE_VERSION.current() != during


def test_a_bulk_update_and_a_delete_and_load_names_show_at_once(visitor, versions):
    assert shows(visitor, "/names/", "All 99 names.")
    names = list(DivineName.objects.filter(number__in=[5, 6]))
    for name in names:
        name.meaning = "Bulk edited"
    DivineName.objects.bulk_update(names, ["meaning"])
    assert visitor.get("/names/").content.decode().count("Bulk edited") == 2
    DivineName.objects.filter(number=99).delete()
    assert shows(visitor, "/names/", "All 98 names.")
    assert visitor.get("/names/99/").status_code == 404
    call_command("load_names", verbosity=0)
    assert shows(visitor, "/names/", "All 99 names.")
    assert visitor.get("/names/99/").status_code == 200


def test_the_name_of_the_day_changes_with_the_utc_date(visitor, monkeypatch):
    first = datetime.date(2030, 1, 1)
    monkeypatch.setattr(views, "_utc_today", lambda: first)
    today = DivineName.objects.get(number=number_of_the_day(first))
    assert shows(visitor, "/", today.transliteration)
    following = first + datetime.timedelta(days=1)
    monkeypatch.setattr(views, "_utc_today", lambda: following)
    tomorrow = DivineName.objects.get(number=number_of_the_day(following))
    assert shows(visitor, "/", tomorrow.transliteration)


def test_the_cached_markup_is_not_escaped_twice(visitor):
    visitor.get("/names/1/")
    html = visitor.get("/names/1/").content.decode()
    assert '<article class="name"' in html
    assert "&lt;" not in html


# --- What a page costs ------------------------------------------------------------------


# A search also reads the names' translations (it finds a name in any language).
@pytest.mark.parametrize(("url", "cold"), [("/", 2), ("/names/", 2), ("/names/?q=mercy", 3),
                                           ("/names/7/", 2), ("/about/", 0)])  # fmt: skip
def test_a_first_visit_reads_the_version_and_the_names_once(
    visitor, shared_versions, django_assert_num_queries, url, cold
):
    with django_assert_num_queries(cold):  # the version (then kept in the cache), the names
        assert visitor.get(url).status_code == 200
    with django_assert_num_queries(0):  # the stored page (test_visitor_pages.py)
        assert visitor.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/", "/names/", "/names/7/"])
def test_a_signed_in_person_costs_the_same_few_queries(
    signed_in, url, django_assert_max_num_queries
):
    signed_in.get(url)
    with django_assert_max_num_queries(8):  # session, user, device, version, ...
        assert signed_in.get(url).status_code == 200


# --- Conditional GET --------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_revalidates_with_the_etag(visitor, url):
    first = visitor.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "Cookie" in first["Vary"]
    again = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


def test_the_etag_moves_with_an_edit(visitor):
    etag = visitor.get("/names/7/")["ETag"]
    DivineName.objects.filter(number=7).update(meaning="Moved")
    response = visitor.get("/names/7/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Moved" in response.content.decode()
    assert response["ETag"] != etag


def test_the_etag_differs_by_day_query_and_fragment(visitor, monkeypatch):
    monkeypatch.setattr(views, "_utc_today", lambda: datetime.date(2030, 1, 1))
    day_one = visitor.get("/")["ETag"]
    monkeypatch.setattr(views, "_utc_today", lambda: datetime.date(2030, 1, 2))
    assert visitor.get("/", HTTP_IF_NONE_MATCH=day_one).status_code == 200
    page = visitor.get("/names/?q=mercy")["ETag"]
    assert visitor.get("/names/?q=light", HTTP_IF_NONE_MATCH=page).status_code == 200
    assert (
        visitor.get("/names/?q=mercy", HTTP_IF_NONE_MATCH=page, HTTP_HX_REQUEST="true").status_code
        == 200
    )


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_person_gets_no_validator_and_never_a_304(visitor, signed_in, url):
    etag = visitor.get(url)["ETag"]
    response = signed_in.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "ETag" not in response
    assert "no-store" in response["Cache-Control"]
    assert "Sign out" in response.content.decode()


def test_a_visitor_with_messages_waiting_gets_the_page(visitor):
    etag = visitor.get("/names/")["ETag"]
    visitor.cookies["messages"] = "anything"
    response = visitor.get("/names/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "ETag" not in response
