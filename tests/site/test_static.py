"""Static files: vendored assets exist, and production serves hashed, compressed names."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests import ROOT

BASE_DIR = ROOT
VENDOR = BASE_DIR / "static" / "vendor"


def test_it_vendors_htmx_and_the_arabic_font_with_their_licences():
    readme = (VENDOR / "README.md").read_text()
    assert "htmx.org | 2." in readme
    assert "@fontsource/amiri" in readme
    for path in ("htmx/htmx.min.js", "htmx/LICENSE", "amiri/LICENSE",
                 "amiri/amiri-arabic-400-subset.woff2"):  # fmt: skip
        assert (VENDOR / path).stat().st_size > 0, path


def test_it_loads_nothing_from_another_origin():
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        for origin in ("https://", "http://", "//cdn"):
            assert origin not in text, template
    css = (BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "url(http" not in css


@pytest.mark.django_db
def test_it_serves_hashed_compressed_files_in_production(tmp_path, client):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "aysekai_site.static_storage.StaticStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        html = client.get("/names/1/").content.decode()
    hashed = [p.name for p in (tmp_path / "css").iterdir()]
    assert any(n.startswith("site.") and n.endswith(".css.gz") for n in hashed), hashed
    assert "/static/css/site.css" not in html
    assert "/static/css/site." in html


def test_it_answers_the_favicon_request(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon")
    assert response["Location"].endswith(".svg")


def test_the_production_storage_remembers_each_names_url(tmp_path, monkeypatch):
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from aysekai_site.static_storage import StaticStorage

    with override_settings(STATIC_ROOT=tmp_path):
        storage = StaticStorage()
        storage.hashed_files = {"a.css": "a.123.css"}  # as read from the manifest
        storage.manifest_strict = True
        asked: list[str] = []
        real = CompressedManifestStaticFilesStorage.url

        def counted(self, name, force=False):
            asked.append(name)
            return real(self, name, force)

        monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counted)
        assert storage.url("a.css") == storage.url("a.css") == "/static/a.123.css"
        assert asked == ["a.css"]
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("missing.css")
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("missing.css")
        assert asked == ["a.css", "missing.css", "missing.css"]
