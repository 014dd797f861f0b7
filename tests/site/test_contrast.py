"""The palette in site.css meets WCAG AA (4.5:1) for text, light and dark."""

import itertools
import re

import pytest

from tests import ROOT

CSS = (ROOT / "static" / "css" / "site.css").read_text()
TEXT_COLOURS = ("text", "muted", "accent", "focus", "error")


PAIRS = re.findall(r"--([a-z0-9-]+):\s*light-dark\((#[0-9a-fA-F]{6}),\s*(#[0-9a-fA-F]{6})\)", CSS)
LIGHT = {name: light for name, light, _ in PAIRS}
DARK = {name: dark for name, _, dark in PAIRS}


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("name", TEXT_COLOURS)
@pytest.mark.parametrize("background", ["bg", "surface"])
def test_it_meets_aa_contrast(scheme, name, background):
    assert contrast(scheme[name], scheme[background]) >= 4.5


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_it_meets_aa_contrast_on_buttons(scheme):
    assert contrast(scheme["accent-contrast"], scheme["accent"]) >= 4.5
    assert contrast(scheme["danger-contrast"], scheme["danger-bg"]) >= 4.5


def test_it_defines_both_schemes_for_every_colour():
    assert set(LIGHT) >= {"bg", "surface", *TEXT_COLOURS}


@pytest.mark.parametrize(("scheme", "first_step"), [(LIGHT, 1.3), (DARK, 2)], ids=["light", "dark"])
def test_the_calendars_levels_are_told_apart(scheme, first_step):
    """Each level of the practice calendar stands apart from the next, by at least 1.3:1, and
    "under 10 minutes" from "no practice" by more: 2:1 in the dark, where both are dark and
    nearly grey (in the light the beige and the green differ in hue as well)."""
    levels = [scheme[f"heat-{n}"] for n in range(5)]
    assert contrast(levels[0], levels[1]) >= first_step
    assert all(contrast(a, b) >= 1.3 for a, b in itertools.pairwise(levels))
