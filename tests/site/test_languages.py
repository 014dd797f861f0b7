"""The site in three languages (issue 17): English at the contract's URLs, Turkish and Arabic
under /tr/ and /ar/, `<html lang dir>`, hreflang alternates, the switcher, and the language
Accept-Language suggests on a first visit, which never redirects (platform/languages.py).

Through the real URLs, with the compiled translations `make setup` makes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from meditation.catalogue import page_cache
from meditation.journal import list_cache, stats_cache
from tests.rendering import rendered

pytestmark = pytest.mark.django_db

PAGES = ["/", "/names/", "/names/1/", "/about/", "/meditate/", "/learn/", "/accounts/login/"]
COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def alternates(response) -> dict[str, str]:
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">',
                       response.content.decode())  # fmt: skip
    return dict(links)


def switcher(response) -> list[tuple[str, str, bool]]:
    """(language, href, current) for each link of the footer's switcher."""
    nav = re.search(r'<nav class="language-switcher".*?</nav>', response.content.decode(), re.S)
    assert nav, "no language switcher"
    return [
        (lang, href, "aria-current" in rest)
        for href, lang, rest in re.findall(
            r'<a href="([^"]+)" hreflang="[^"]+" lang="([^"]+)"([^>]*)>', nav.group(0)
        )
    ]


def suggestion(response) -> str | None:
    found = re.search(r'<aside class="language-suggestion".*?</aside>', response.content.decode(),
                      re.S)  # fmt: skip
    return found.group(0) if found else None


class TestPrefixes:
    @pytest.mark.parametrize("path", PAGES)
    def test_english_stays_at_the_contracts_urls(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert 'lang="en" dir="ltr"' in html_tag(response)
        assert response["Content-Language"] == "en"

    @pytest.mark.parametrize("path", PAGES)
    @pytest.mark.parametrize(("code", "direction"), [("tr", "ltr"), ("ar", "rtl")])
    def test_turkish_and_arabic_live_under_their_prefix(self, client, path, code, direction):
        response = client.get(f"/{code}{path}")
        assert response.status_code == 200
        assert f'lang="{code}" dir="{direction}"' in html_tag(response)
        assert response["Content-Language"] == code

    def test_the_interface_is_translated_under_the_prefix(self, client):
        assert ">Öğren</a>" in client.get("/tr/").content.decode()
        assert ">تعلّم</a>" in client.get("/ar/").content.decode()
        assert ">Learn</a>" in client.get("/").content.decode()

    def test_links_stay_in_the_pages_language(self, client):
        body = client.get("/tr/names/").content.decode()
        assert 'href="/tr/names/1/"' in body
        assert 'href="/tr/learn/"' in body

    @pytest.mark.parametrize("path", ["/en/", "/en/names/", "/de/names/", "/tr/api/names/",
                                      "/ar/healthz", "/tr/metrics"])  # fmt: skip
    def test_no_other_prefix_and_no_prefix_on_the_machines_urls(self, client, path):
        assert client.get(path).status_code == 404

    def test_the_api_keeps_its_one_address(self, client):
        assert client.get("/api/names/1/").status_code == 200

    def test_a_visitor_sent_to_sign_in_stays_in_the_language(self, client):
        response = client.get("/tr/journal/")
        assert response.status_code == 302
        assert response["Location"].startswith("/tr/accounts/login/?next=/tr/journal/")

    def test_the_journal_of_a_person_is_in_the_language_of_its_url(self, signed_in):
        response = signed_in.get("/ar/journal/")
        assert response.status_code == 200
        assert 'lang="ar" dir="rtl"' in html_tag(response)


class TestAlternates:
    def test_every_page_names_itself_in_each_language(self, client):
        found = alternates(client.get("/tr/names/1/"))
        assert found == {
            "x-default": "http://testserver/names/1/",
            "en": "http://testserver/names/1/",
            "tr": "http://testserver/tr/names/1/",
            "ar": "http://testserver/ar/names/1/",
        }

    def test_the_query_string_stays_behind(self, client):
        """A query string is the visitor's to write: the page never copies it into a link."""
        response = client.get("/accounts/signup/?next=//evil.example&q=%22%3E")
        assert alternates(response)["ar"] == "http://testserver/ar/accounts/signup/"
        assert [href for _, href, _ in switcher(response)] == [
            "/accounts/signup/",
            "/tr/accounts/signup/",
            "/ar/accounts/signup/",
        ]

    def test_a_page_that_does_not_exist_has_none(self, client):
        response = client.get("/tr/no-such-page/")
        assert response.status_code == 404
        assert alternates(response) == {}


class TestSwitcher:
    def test_it_links_the_same_page_in_each_language_and_marks_the_current(self, client):
        assert switcher(client.get("/ar/names/7/")) == [
            ("en", "/names/7/", False),
            ("tr", "/tr/names/7/", False),
            ("ar", "/ar/names/7/", True),
        ]

    def test_each_language_is_named_in_its_own_words(self, client):
        body = client.get("/").content.decode()
        assert 'lang="tr" dir="ltr">Türkçe</a>' in body
        assert 'lang="ar" dir="rtl">العربية</a>' in body

    def test_following_it_needs_no_javascript_nor_a_form(self, client):
        for _, href, _ in switcher(client.get("/about/")):
            assert client.get(href).status_code == 200


class TestAFirstVisit:
    @pytest.mark.parametrize("path", PAGES)
    @pytest.mark.parametrize("header", ["tr-TR,tr;q=0.9,en;q=0.5", "ar", "ar-EG,en;q=0.1"])
    def test_accept_language_never_redirects_a_bookmarked_url(self, path, header):
        response = Client(HTTP_ACCEPT_LANGUAGE=header).get(path)
        assert response.status_code == 200
        assert 'lang="en"' in html_tag(response)

    def test_it_suggests_the_page_in_the_preferred_language_in_that_language(self):
        response = Client(HTTP_ACCEPT_LANGUAGE="tr-TR,tr;q=0.9").get("/names/1/")
        offer = suggestion(response)
        assert offer is not None
        assert 'lang="tr"' in offer
        assert '<a href="/tr/names/1/" hreflang="tr">Bu sayfayı Türkçe okuyun</a>' in offer

    def test_an_arabic_suggestion_is_right_to_left_on_a_left_to_right_page(self):
        offer = suggestion(Client(HTTP_ACCEPT_LANGUAGE="ar").get("/tr/about/"))
        assert 'lang="ar" dir="rtl"' in offer
        assert "اقرأ هذه الصفحة بالعربية" in offer
        assert 'href="/ar/about/"' in offer

    def test_it_is_made_once_the_cookie_says_the_visitor_was_asked(self):
        visitor = Client(HTTP_ACCEPT_LANGUAGE="tr")
        first = visitor.get("/names/")
        assert suggestion(first)
        assert first.cookies[COOKIE].value == "en"
        assert first.cookies[COOKIE]["httponly"]
        assert "Cookie" in first["Vary"]
        assert "Accept-Language" in first["Vary"]
        again = visitor.get("/names/1/")
        assert suggestion(again) is None
        assert COOKIE not in again.cookies

    @pytest.mark.parametrize("header", ["en-GB,en;q=0.9", "de-DE", "", "*", "x" * 300])
    def test_nothing_is_suggested_without_another_language_of_ours(self, header):
        response = Client(HTTP_ACCEPT_LANGUAGE=header).get("/")
        assert response.status_code == 200
        assert suggestion(response) is None
        assert COOKIE not in response.cookies

    def test_a_page_already_in_the_preferred_language_suggests_nothing(self):
        response = Client(HTTP_ACCEPT_LANGUAGE="tr").get("/tr/")
        assert suggestion(response) is None

    def test_an_htmx_fragment_carries_no_suggestion_and_sets_no_cookie(self):
        response = Client(HTTP_ACCEPT_LANGUAGE="tr").get("/names/?q=rahman",
                                                          HTTP_HX_REQUEST="true")  # fmt: skip
        assert response.status_code == 200
        assert COOKIE not in response.cookies


class TestStoredPages:
    """A visitor's stored page is one language's and one suggestion's (response_cache)."""

    def test_each_language_has_its_own_stored_page(self, client):
        client.get("/about/")
        client.get("/tr/about/")
        english, turkish = client.get("/about/"), client.get("/tr/about/")
        assert not rendered(english)
        assert not rendered(turkish)
        assert 'lang="en"' in html_tag(english)
        assert 'lang="tr"' in html_tag(turkish)

    def test_a_suggestion_is_never_served_to_another_visitor(self):
        suggested = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/about/")
        assert suggestion(suggested)
        plain = Client().get("/about/")
        assert suggestion(plain) is None
        assert suggestion(Client(HTTP_ACCEPT_LANGUAGE="ar").get("/about/"))
        assert suggestion(Client(HTTP_ACCEPT_LANGUAGE="tr").get("/about/")) != suggestion(suggested)

    def test_the_catalogue_markup_is_kept_per_language(self):
        made = []

        def render(code):
            def make():
                made.append(code)
                return code

            return make

        for code in ["en", "tr", "en", "tr"]:
            with translation.override(code):
                assert page_cache.fragment("v", "test-page", render=render(code)) == code
        assert made == ["en", "tr"]


def test_a_persons_journal_list_and_stats_are_kept_per_language(user):
    keys = set()
    made = []
    for code in ["en", "tr", "ar", "tr"]:
        with translation.override(code):
            keys.add(list_cache.key(user, ("page", 1)))
            stats_cache.cached_page(user, ("same",), lambda code=code: made.append(code) or code)
    assert len(keys) == 3
    assert made == ["en", "tr", "ar", "tr"]  # one slot a person: the language replaces it


def test_a_translation_moves_the_build(settings, tmp_path):
    """Stored pages and fragments key on the build: a deploy that only changes a translation
    makes them anew."""
    from aysekai_site.platform import versions

    catalogue = tmp_path / "tr" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text('msgid "Learn"\nmsgstr "Öğren"\n')
    settings.LOCALE_PATHS = [tmp_path]
    before = versions.code_version.__wrapped__()
    catalogue.write_text('msgid "Learn"\nmsgstr "Öğrenin"\n')
    assert versions.code_version.__wrapped__() != before


def test_the_names_grid_links_the_names_in_the_pages_language(signed_in):
    body = signed_in.get("/tr/journal/stats/").content.decode()
    assert 'href="/tr/names/1/"' in body
    assert 'href="/names/1/"' not in body
