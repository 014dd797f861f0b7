"""The scripts' translations: Django's JavaScript catalog at /jsi18n/ (issue 17).

static/js/*.js call `gettext`, `ngettext` and `interpolate`, which this script defines in the
page's language (locale/*/LC_MESSAGES/djangojs.po), English when it has not loaded. Every page
names it, in its own language, before the site's scripts (deferred scripts run in order). It
is the same for everyone and changes only with a deploy: public, cacheable, with an ETag.
"""

from __future__ import annotations

import json
import re

import polib
import pytest
from django.conf import settings

from aysekai_site.platform.languages import CATALOG_MAX_AGE, CATALOG_MAX_AGE_ELSEWHERE
from aysekai_site.platform.versions import code_version

ROOT = settings.BASE_DIR
ARABIC_PLURAL = (
    "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5"
)


def catalogue(response) -> dict:
    """The translations the script carries ({} when it carries none)."""
    body = response.content.decode()
    found = re.search(r"const newcatalog = (\{.*?\n  \});", body, re.S)
    return json.loads(found[1]) if found else {}


def directives(response) -> dict[str, str]:
    parts = (d.strip().partition("=") for d in response.get("Cache-Control", "").split(","))
    return {name: value for name, _, value in parts if name}


def test_english_carries_no_translations_only_the_functions(client):
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert catalogue(response) == {}
    for function in ("gettext", "ngettext", "interpolate"):
        assert f"globals.{function} = django.{function};" in body
    assert "return (count == 1) ? 0 : 1;" in body  # English plurals


def test_turkish_carries_the_scripts_strings_in_turkish(client):
    response = client.get("/tr/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Language"] == "tr"
    strings = catalogue(response)
    assert strings["Find a name"] == "Bir isim bulun"
    assert strings["Use %(zone)s, this device's time zone"] == (
        "Bu cihazın saat dilimini kullanın: %(zone)s"
    )
    assert strings["%(count)s minute"] == ["%(count)s dakika", "%(count)s dakika"]
    assert "const v = (n != 1);" in response.content.decode()


def test_arabic_carries_its_strings_and_its_six_plural_forms(client):
    response = client.get("/ar/jsi18n/")
    assert response.status_code == 200
    strings = catalogue(response)
    assert strings["Find a name"] == "ابحث عن اسم"
    assert strings["%(count)s second"][2] == "ثانيتان"  # two seconds
    assert all(len(v) == 6 for v in strings.values() if isinstance(v, list))
    assert f"const v = {ARABIC_PLURAL};" in response.content.decode()


@pytest.mark.parametrize("code", ["tr", "ar"])
def test_it_carries_the_scripts_catalogue_and_nothing_else(client, code):
    """The project's djangojs.po, not the admin's scripts' strings (or any other app's)."""
    po = polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "djangojs.po"))
    assert set(catalogue(client.get(f"/{code}/jsi18n/"))) == {e.msgid for e in po}


@pytest.mark.parametrize("url", ["/jsi18n/", "/tr/jsi18n/", "/ar/jsi18n/"])
def test_it_is_public_and_cacheable_and_sets_no_cookie(client, url):
    response = client.get(f"{url}?v={code_version()}")
    assert directives(response) == {"public": "", "max-age": str(CATALOG_MAX_AGE)}
    assert CATALOG_MAX_AGE > 0
    assert not response.cookies


@pytest.mark.parametrize("query", ["", "?v=an-old-build", "?v=%22%3E"])
def test_at_another_builds_url_it_is_kept_an_hour(client, query):
    response = client.get(f"/tr/jsi18n/{query}")
    assert directives(response) == {"public": "", "max-age": str(CATALOG_MAX_AGE_ELSEWHERE)}
    assert CATALOG_MAX_AGE_ELSEWHERE < CATALOG_MAX_AGE


@pytest.mark.django_db
def test_it_stays_public_for_a_signed_in_person(signed_in):
    """It reads nothing of the person: their browser keeps it like anyone's."""
    response = signed_in.get(f"/ar/jsi18n/?v={code_version()}")
    assert directives(response) == {"public": "", "max-age": str(CATALOG_MAX_AGE)}
    assert not response.cookies


@pytest.mark.parametrize("url", ["/jsi18n/", "/tr/jsi18n/", "/ar/jsi18n/"])
def test_a_copy_still_current_is_a_304(client, url):
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    assert directives(again) == directives(first)
    assert client.get(url, headers={"if-none-match": 'W/"another"'}).status_code == 200


def test_each_language_has_its_own_etag(client):
    tags = {client.get(url)["ETag"] for url in ("/jsi18n/", "/tr/jsi18n/", "/ar/jsi18n/")}
    assert len(tags) == 3


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_only_answers_get_and_head(client, method):
    assert getattr(client, method)("/tr/jsi18n/").status_code == 405
    head = client.head("/tr/jsi18n/")
    assert head.status_code == 200
    assert head["ETag"] == client.get("/tr/jsi18n/")["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "script"), [
    ("/meditate/", "/jsi18n/"), ("/tr/meditate/", "/tr/jsi18n/"), ("/ar/about/", "/ar/jsi18n/"),
])  # fmt: skip
def test_every_page_names_it_in_its_language_before_its_own_scripts(client, page, script):
    html = client.get(page).content.decode()
    sources = re.findall(r'<script src="([^"]+)" defer></script>', html)
    ours = [i for i, src in enumerate(sources) if "/js/" in src]
    assert ours
    assert sources.index(f"{script}?v={code_version()}") < min(ours)
