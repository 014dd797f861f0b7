"""The Arabic interface's face (issue 17): Noto Sans Arabic, vendored and subset to a fixed set
of Arabic characters (scripts/subset_fonts.py, `make vendor`), set only on pages whose root is
Arabic (`html[lang="ar"]`), never on an English page, though its language switcher holds a
`lang="ar"` link. The names and verses keep Amiri and Scheherazade New."""

from __future__ import annotations

import re
import unicodedata

import polib
import pytest
from fontTools.ttLib import TTFont

from tests import ROOT
from tests.page_weight import SITE_CSS, font_faces, parse, root_families, static_path

FAMILY = "Noto Sans Arabic"
STATIC = ROOT / "static"
CATALOGUES = sorted((ROOT / "locale" / "ar" / "LC_MESSAGES").glob("*.po"))
# Whatever an Arabic translation may hold, whichever strings it translates today.
FIXED = {
    chr(code)
    for low, high in (
        (0x0621, 0x064A),  # the letters (tatweel, U+0640, among them)
        (0x064B, 0x065F),  # the harakat and the other marks
        (0x0670, 0x0670),  # the superscript alef
        (0x0660, 0x0669),  # the Arabic-Indic digits
        (0x060C, 0x060C),  # comma
        (0x061B, 0x061B),  # semicolon
        (0x061F, 0x061F),  # question mark
        (0x066A, 0x066C),  # percent sign, decimal and thousands separators
        (0x200C, 0x200F),  # ZWNJ, ZWJ, LRM, RLM
    )
    for code in range(low, high + 1)
}
SHAPING = {"GSUB": {"init", "medi", "fina", "rlig", "liga"}, "GPOS": {"mark", "mkmk", "kern"}}
# Rules, comments removed: (selector, body).
RULES = [
    (selector.strip(), body)
    for selector, body in re.findall(
        r"([^{}]+){([^}]*)}", re.sub(r"/\*.*?\*/", "", SITE_CSS.read_text(), flags=re.S)
    )
]


def is_arabic(char: str) -> bool:
    return unicodedata.name(char, "").startswith("ARABIC")


def translated_arabic() -> set[str]:
    """The Arabic-script characters of every msgstr of the Arabic catalogues."""
    chars: set[str] = set()
    for catalogue in CATALOGUES:
        for entry in polib.pofile(str(catalogue)):
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                chars |= {char for char in text if is_arabic(char)}
    return chars


def missing(cmap: dict[int, str], chars: set[str]) -> list[str]:
    return [
        f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in sorted(chars) if ord(c) not in cmap
    ]


def interface_faces():
    return [face for face in font_faces() if face.family == FAMILY]


def test_the_catalogues_are_read():
    assert CATALOGUES, "no Arabic catalogue: this test has nothing to check"
    assert len(translated_arabic()) > 20


@pytest.mark.parametrize("weight", [400, 700])
def test_the_subset_covers_the_fixed_set_and_every_translation(weight):
    (face,) = [face for face in interface_faces() if face.weight == weight]
    assert face.src == f"vendor/noto-sans-arabic/noto-sans-arabic-arabic-{weight}-subset.woff2"
    font = TTFont(STATIC / face.src)
    cmap = font.getBestCmap()
    gaps = missing(cmap, FIXED | translated_arabic())
    assert not gaps, "run `make vendor` (a translation uses a character the subset lacks): " + (
        ", ".join(gaps)
    )
    assert all(face.covers(char) for char in FIXED | translated_arabic())  # the CSS range
    assert min(cmap) >= 0x0600, "Latin is the system font's"
    for table, features in SHAPING.items():
        kept = {record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord}
        assert features <= kept, f"{table} lost {features - kept}: the letters would not join"


def test_a_character_the_subset_lacks_is_named():
    cmap = TTFont(STATIC / interface_faces()[0].src).getBestCmap()
    assert missing(cmap, {"\u06a9", "\u0628"}) == ["U+06A9 ARABIC LETTER KEHEH"]


def test_the_face_is_set_only_under_an_arabic_root():
    assert {face.weight for face in interface_faces()} == {400, 700}
    naming = [(selector, body) for selector, body in RULES if FAMILY in body]
    assert {selector for selector, _ in naming} == {"@font-face", 'html[lang="ar"]'}
    ((_, body),) = [(s, b) for s, b in naming if s != "@font-face"]
    stack = re.search(r"--font:\s*([^;]+)", body)
    assert stack, "the Arabic root sets the interface's --font"
    root = next(b for s, b in RULES if s == ":root")
    system = re.search(r"--font:\s*([^;]+)", root)[1].strip()  # type: ignore[index]
    assert stack[1].strip() == f'"{FAMILY}", {system}'  # then the system stack, unchanged
    assert root_families() == {"ar": FAMILY}
    body_rules = [b for s, b in RULES if s == "body"]
    assert any("font-family: var(--font)" in b for b in body_rules)
    for selector, body in RULES:  # no :lang(ar) rule: it would match the switcher's link
        if ":lang(ar)" in selector:
            assert "font-family" not in body, selector
            assert "--font" not in body, selector


def test_the_arabic_interface_has_room_for_the_harakat():
    heights = [
        float(m[1])
        for selector, body in RULES
        if selector in {"body", 'html[lang="ar"]', 'html[lang="ar"] body'}
        for m in [re.search(r"line-height:\s*([\d.]+)\s*;", body)]
        if m
    ]
    assert heights, "no line height for the body"
    assert heights[-1] >= 1.6, heights


@pytest.mark.django_db
def test_the_arabic_pages_link_the_stylesheet_and_english_ones_never_select_the_face(client):
    arabic = client.get("/ar/names/1/").content.decode()
    assert '<html lang="ar" dir="rtl"' in arabic[:300]
    assert "css/site.css" in {static_path(url) for url in parse(arabic).assets if ".css" in url}
    for url in ("/", "/names/", "/names/1/", "/tr/names/1/"):
        page = client.get(url).content.decode()
        root = re.search(r'<html lang="([\w-]+)"', page)
        assert root, url
        assert root[1] != "ar", url
        assert root_families().get(root[1]) is None, url
    # The English page holds Arabic with lang="ar" (the switcher), which html[lang="ar"] does
    # not select: only the root element is an html element.
    assert 'lang="ar"' in client.get("/names/1/").content.decode()
