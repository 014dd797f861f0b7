"""First load: what a browser transfers for a catalogue page with an empty cache (issue 13).

The page's gzipped HTML, plus its stylesheet, scripts and preloads, plus the Amiri files its
Arabic text makes the browser fetch, each as whitenoise serves it (tests/page_weight.py).
"""

import pytest

from tests.page_weight import fonts_loaded, parse, static_path, transferred_size

pytestmark = pytest.mark.django_db

BUDGETS = {"/names/": 60_000, "/names/1/": 90_000}


def first_load(client, url: str) -> dict[str, int]:
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    page = parse(client.get(url).content.decode())  # the same page, uncompressed
    files = {static_path(url) for url in page.assets + page.preloads} | fonts_loaded(page)
    return {url: len(response.content)} | {path: transferred_size(path) for path in files}


@pytest.mark.parametrize(("url", "budget"), BUDGETS.items())
def test_the_first_load_fits_its_budget(client, url, budget):
    sizes = first_load(client, url)
    assert sum(sizes.values()) <= budget, sizes


def test_the_names_list_loads_one_font_and_the_detail_two(client):
    assert len([p for p in first_load(client, "/names/") if p.endswith(".woff2")]) == 1
    assert len([p for p in first_load(client, "/names/1/") if p.endswith(".woff2")]) == 2
