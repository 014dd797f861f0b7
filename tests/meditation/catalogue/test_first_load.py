"""First load: what a browser transfers for a catalogue page with an empty cache (issue 13).

The page's gzipped HTML, plus its stylesheet, scripts and preloads, plus the Amiri files its
Arabic text makes the browser fetch, each as whitenoise serves it (tests/page_weight.py); a
script a view serves (the /jsi18n/ catalogue) as that view sends it.
"""

import pytest
from django.conf import settings

from tests.page_weight import fonts_loaded, parse, static_path, transferred_size

pytestmark = pytest.mark.django_db

# /ar/names/1/ (issue 17) adds the Arabic interface's face, both weights (its nav and footer
# are Arabic, the current language bold) and the Arabic script catalogue: 93,566 bytes measured
# (HTML 2.5 KB, site.css 7.8, htmx 16.9, /ar/jsi18n/ 2.4, Amiri 700 24.0, Scheherazade New 18.4,
# Noto Sans Arabic 400 10.3 and 700 10.8); the budget leaves ~10% for the page's translation.
BUDGETS = {"/names/": 60_000, "/names/1/": 90_000, "/ar/names/1/": 103_000}


def sent(client, url: str) -> int:
    """The bytes a view sends a browser that accepts gzip."""
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200, url
    return len(response.content)


def first_load(client, url: str) -> dict[str, int]:
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    page = parse(client.get(url).content.decode())  # the same page, uncompressed
    urls = set(page.assets + page.preloads)
    static = {u for u in urls if u.startswith(settings.STATIC_URL)}
    files = {static_path(u) for u in static} | fonts_loaded(page)
    return (
        {url: len(response.content)}
        | {path: transferred_size(path) for path in files}
        | {u: sent(client, u) for u in urls - static}
    )


@pytest.mark.parametrize(("url", "budget"), BUDGETS.items())
def test_the_first_load_fits_its_budget(client, url, budget):
    sizes = first_load(client, url)
    assert sum(sizes.values()) <= budget, sizes


def test_the_names_list_loads_one_font_and_the_detail_two(client):
    assert len([p for p in first_load(client, "/names/") if p.endswith(".woff2")]) == 1
    assert len([p for p in first_load(client, "/names/1/") if p.endswith(".woff2")]) == 2


@pytest.mark.parametrize("url", ["/", "/names/", "/names/1/", "/tr/names/1/"])
def test_no_page_but_an_arabic_one_loads_the_interface_face(client, url):
    assert not [p for p in first_load(client, url) if "noto-sans-arabic" in p]


def test_an_arabic_page_loads_the_interface_face(client):
    loaded = [p for p in first_load(client, "/ar/names/1/") if "noto-sans-arabic" in p]
    assert len(loaded) == 2  # 400 and 700
