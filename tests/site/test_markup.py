"""Every page is valid HTML (issue 14): the Nu Html Checker (vnu.jar, from npm through
scripts/test_tools.sh) reports no error on any page, as a visitor or signed in."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests import ROOT
from tests.browser import VISITOR_PAGES, person_pages

VNU = ROOT / "tests" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.sweeps,
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="no Java to run the Nu Html Checker"),
]


def errors_in(pages: dict[str, bytes], folder) -> list[str]:
    """vnu's errors for each page, as "path: line N: message"."""
    assert VNU.exists(), "vnu.jar is missing: run scripts/test_tools.sh (make test does)"
    files = {}
    for n, (path, html) in enumerate(pages.items()):
        file = folder / f"page{n}.html"
        file.write_bytes(html)
        files[file.name] = path
    paths = [str(folder / name) for name in files]  # paths: vnu finds nothing in file:/// URIs
    run = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *paths],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(run.stderr)["messages"]
    assert all(m.get("url", "").rsplit("/", 1)[-1] in files for m in messages), messages
    return [
        f"{files[m['url'].rsplit('/', 1)[-1]]}: line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]


def fetched(client, paths) -> dict[str, bytes]:
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        for syntax in (b"{#", b"#}", b"{%", b"%}", b"{{", b"}}"):  # nothing of a template shows
            assert syntax not in response.content, (path, syntax)
        pages[path] = response.content
    return pages


def test_every_visitors_page_is_valid_html(client, tmp_path):
    assert errors_in(fetched(client, VISITOR_PAGES), tmp_path) == []


def test_every_page_of_a_signed_in_person_is_valid_html(client, user, tmp_path):
    client.force_login(user)
    assert errors_in(fetched(client, person_pages(user)), tmp_path) == []


def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    broken = b"<!doctype html><html lang=en><title>x</title><p hx-get=/x><time datetime=soon>"
    assert errors_in({"/broken/": broken}, tmp_path)
