"""The Amiri subset: it has a glyph for every Arabic character the catalogue shows, and it is
what the stylesheet and the preloads reference (scripts/subset_fonts.py, `make vendor`). The
Arabic interface's face has its own tests (tests/site/test_interface_font.py)."""

import json
import unicodedata

import pytest
from fontTools.ttLib import TTFont

from tests import ROOT
from tests.page_weight import SITE_CSS, font_faces, fonts_loaded, parse, static_path

STATIC = ROOT / "static"
FIXTURE = ROOT / "fixtures" / "divine_names.json"


def fixture_arabic() -> set[str]:
    names = json.loads(FIXTURE.read_text(encoding="utf-8"))["names"]
    text = "".join(name["arabic"] + name["verse_arabic"] + name["dhikr_arabic"] for name in names)
    return {char for char in text if not char.isspace()}


def test_the_stylesheet_uses_only_the_vendored_subsets_and_swaps():
    faces = font_faces()
    assert {face.weight for face in faces} == {400, 700}
    assert {face.family for face in faces} == {"Amiri", "Scheherazade New", "Noto Sans Arabic"}
    for face in faces:
        assert face.src.startswith(
            ("vendor/amiri/", "vendor/scheherazade/", "vendor/noto-sans-arabic/")
        )
        assert face.src.endswith("-subset.woff2")
        assert (STATIC / face.src).stat().st_size > 0, face.src
    blocks = SITE_CSS.read_text().split("@font-face")[1:]
    assert all("font-display: swap" in block.split("}")[0] for block in blocks)
    shipped = {f"{p.parent.name}/{p.name}" for p in (STATIC / "vendor").glob("*/*.woff2")}
    assert shipped == {face.src.removeprefix("vendor/") for face in faces}  # no stray original
    for folder in ("amiri", "scheherazade", "noto-sans-arabic"):
        assert (STATIC / "vendor" / folder / "LICENSE").read_text().count("SIL OPEN FONT LICENSE")
    admin = font_faces((STATIC / "css" / "admin.css").read_text())
    assert {face.src for face in admin} <= {face.src for face in faces}
    assert (STATIC / "vendor" / "amiri" / "LICENSE").read_text().count("SIL OPEN FONT LICENSE")


def test_every_character_of_the_verses_has_a_glyph_in_their_face():
    names = json.loads(FIXTURE.read_text(encoding="utf-8"))["names"]
    verses = {char for name in names for char in name["verse_arabic"] if not char.isspace()}
    face = next(face for face in font_faces() if face.family == "Scheherazade New")
    cmap = TTFont(STATIC / face.src).getBestCmap()
    missing = sorted(c for c in verses if ord(c) not in cmap)
    assert not missing, "run `make vendor`: " + ", ".join(map(unicodedata.name, missing))
    assert all(face.covers(char) for char in verses)


@pytest.mark.parametrize("weight", [400, 700])
def test_every_arabic_character_of_the_names_has_a_glyph_in_the_subset(weight):
    face = next(f for f in font_faces() if f.family == "Amiri" and f.weight == weight)
    cmap = TTFont(STATIC / face.src).getBestCmap()
    missing = sorted(c for c in fixture_arabic() if ord(c) not in cmap)
    assert not missing, "run `make vendor`: " + ", ".join(
        f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in missing
    )
    assert all(face.covers(char) for char in fixture_arabic())  # the CSS range lets it be used


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "weights"), [("/", {700}), ("/names/", {400}), ("/names/1/", {700})]
)
def test_the_page_preloads_the_font_its_first_paint_shows(client, url, weights):
    page = parse(client.get(url).content.decode())
    preloads = {static_path(href) for href in page.preloads}
    by_weight = {face.src: face.weight for face in font_faces()}
    assert {by_weight[src] for src in preloads} == weights
    assert preloads <= fonts_loaded(page)  # never a preload the page does not use
