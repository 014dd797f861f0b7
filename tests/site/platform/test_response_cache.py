"""What the visitors' page cache stores and answers, whatever the view (platform/response_cache).

Through the real /about/ (and the names), with the view's response altered where a rule needs
a response no page of ours sends today: a cookie, `private`, another Vary, a CSRF token, a
CSP nonce.
"""

from __future__ import annotations

import logging

import pytest
from csp.constants import NONCE, SELF
from django.middleware.csrf import get_token
from django.test import Client
from django.utils.cache import patch_cache_control, patch_vary_headers

from aysekai_site.platform import response_cache, versions
from meditation.catalogue import views
from meditation.models import DivineName
from tests.rendering import rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def alter(monkeypatch):
    """Change the response /about/ renders with `change(request, response)`."""

    def install(change):
        real = views.render

        def render(request, *args, **kwargs):
            response = real(request, *args, **kwargs)
            change(request, response)
            return response

        monkeypatch.setattr(views, "render", render)

    return install


def stored(client: Client, url: str = "/about/") -> bool:
    client.get(url)
    return not rendered(client.get(url))


def test_a_plain_page_is_stored(client, alter):
    alter(lambda request, response: None)
    assert stored(client)


def test_a_response_that_sets_a_cookie_is_not_stored(client, alter):
    alter(lambda request, response: response.set_cookie("seen", "1"))
    assert not stored(client)
    assert "seen" in client.get("/about/").cookies


@pytest.mark.parametrize("directive", ["private", "no_store", "no_cache"])
def test_a_private_or_unstorable_response_is_not_stored(client, alter, directive):
    alter(lambda request, response: patch_cache_control(response, **{directive: True}))
    assert not stored(client)


def test_a_response_varying_on_what_the_key_leaves_out_is_not_stored(client, alter):
    alter(lambda request, response: patch_vary_headers(response, ("Accept-Language",)))
    assert not stored(client)


def test_a_page_that_used_the_csrf_token_is_not_stored(client, alter):
    client.cookies["csrftoken"] = "a" * 32  # a visitor who saw a form before
    alter(lambda request, response: get_token(request))
    assert not stored(client)


def test_a_page_whose_csp_trusts_a_nonce_is_not_stored(client, alter, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    directives = policy["DIRECTIVES"] | {"script-src": [SELF, NONCE]}
    settings.CONTENT_SECURITY_POLICY = policy | {"DIRECTIVES": directives}
    alter(lambda request, response: str(request.csp_nonce))
    assert "'nonce-" in client.get("/about/")["Content-Security-Policy"]
    assert not stored(client)


def test_another_status_is_not_stored(client):
    DivineName.objects.filter(number=99).delete()
    assert not stored(client, "/names/99/")
    assert client.get("/names/99/").status_code == 404


def test_a_post_goes_past_the_cache(client):
    client.get("/about/")
    assert client.post("/about/").status_code == 405


def test_a_host_not_allowed_is_refused_even_for_a_stored_page(client):
    assert stored(client)
    assert client.get("/about/", HTTP_HOST="attacker.example").status_code == 400


def test_a_page_stored_by_another_build_is_not_served(client, monkeypatch):
    assert stored(client)
    monkeypatch.setattr(response_cache, "code_version", lambda: "the next deploy")
    assert rendered(client.get("/about/"))


def test_the_request_log_names_the_view_of_a_stored_page(client, caplog):
    client.get("/about/")
    with caplog.at_level(logging.INFO, logger="aysekai.requests"):
        caplog.clear()
        assert not rendered(client.get("/about/"))
    (record,) = [r for r in caplog.records if r.name == "aysekai.requests"]
    assert record.view == "meditation:about"
    assert record.status == 200


def test_the_build_moves_with_a_template(settings, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("one")
    settings.TEMPLATES = [settings.TEMPLATES[0] | {"DIRS": [tmp_path]}]
    before = versions.code_version.__wrapped__()
    assert versions.code_version.__wrapped__() == before
    page.write_text("two")
    assert versions.code_version.__wrapped__() != before


def test_runserver_reloading_a_template_makes_the_build_anew(settings, tmp_path):
    from django.utils.autoreload import file_changed

    page = tmp_path / "page.html"
    page.write_text("one")
    settings.TEMPLATES = [settings.TEMPLATES[0] | {"DIRS": [tmp_path]}]
    versions.code_version.cache_clear()
    before = versions.code_version()
    page.write_text("two")
    assert versions.code_version() == before  # once per process...
    file_changed.send(sender=None, file_path=page)
    assert versions.code_version() != before  # ...until runserver sees a file change
    versions.code_version.cache_clear()
