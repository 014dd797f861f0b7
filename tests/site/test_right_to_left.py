"""The stylesheet mirrors for Arabic by itself (issue 17): spacing, borders, alignment and
positions are written with logical properties (`margin-inline-start`, `text-align: start`,
`inset-inline-start`...), which follow `<html dir="rtl">`; a physical `left` or `right`
would stay where it is and leave the Arabic layout half mirrored. Arabic is never
letter-spaced: spacing breaks the joins between its letters."""

from __future__ import annotations

import re

from tests import ROOT

CSS = (ROOT / "static" / "css" / "site.css").read_text()
UNCOMMENTED = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
# Declarations, comments removed: (selector, property, value).
DECLARATIONS = [
    (selector.strip(), prop.strip().lower(), value.strip())
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", UNCOMMENTED)
    for prop, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
]  # fmt: skip
PHYSICAL = re.compile(r"^(margin|padding|border)-(left|right)|^(left|right)$")
SHORTHANDS = {"margin", "padding", "border-width", "border-color", "border-style", "inset"}


def test_no_property_names_a_physical_side():
    assert [(s, p) for s, p, _ in DECLARATIONS if PHYSICAL.search(p)] == []


def test_no_alignment_or_float_is_physical():
    physical = [
        (s, p, v) for s, p, v in DECLARATIONS
        if p in {"text-align", "float", "clear"} and v in {"left", "right"}
    ]  # fmt: skip
    assert physical == []


def test_no_shorthand_sets_the_two_sides_apart():
    """`padding: 0 1rem 0 0` is right-only in both directions; four values are refused unless
    the left and right ones agree."""
    lopsided = []
    for selector, prop, value in DECLARATIONS:
        parts = value.split()
        if prop in SHORTHANDS and len(parts) == 4 and parts[1] != parts[3]:
            lopsided.append((selector, prop, value))
    assert lopsided == []


def test_letter_spacing_is_undone_for_arabic():
    spaced = {s for s, p, v in DECLARATIONS if p == "letter-spacing" and v not in {"0", "normal"}}
    undone = {
        s for s, p, v in DECLARATIONS if p == "letter-spacing" and v in {"0", "normal"}
    }  # fmt: skip
    assert spaced, "nothing is letter-spaced: this test has nothing to check"
    assert any(":lang(ar)" in s for s in undone)
    for selector in spaced:
        for part in selector.split(","):
            assert any(part.strip() in s for s in undone), part


def test_the_pages_say_their_direction(client, db):
    assert 'dir="rtl"' in client.get("/ar/").content.decode()[:400]
    assert 'dir="ltr"' in client.get("/tr/").content.decode()[:400]
