"""Arabic type (issue 14): the harakat sit with their letters at every size the site sets
Arabic in, for whichever of the 99 names, dhikrs or verses the element may show.

In the browser, with the vendored fonts loaded, each Arabic element's own font is measured on
every text it can hold (a name's place holds any of the 99 names, a dhikr's any dhikr, a
verse's any verse): the ink of the highest mark must fit under the top of its line box and
the lowest over its bottom, so no shadda or kasra touches the line above or a neighbour.
(The line box is the line height with the font's ascent and descent centred in it, as CSS
lays out a line.) The test fails with the line height the element needs.
"""

from __future__ import annotations

import json

from tests import ROOT
from tests.browser import marks, open_page, sign_in_page
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = marks
WIDTHS = (320, 1280)
FACES = ("Amiri", "Scheherazade New")  # the vendored faces (static/vendor/)
NAMES = json.loads((ROOT / "fixtures" / "divine_names.json").read_text(encoding="utf-8"))["names"]
TEXTS = {
    "names": [n["arabic"] for n in NAMES] + [n["dhikr_arabic"] for n in NAMES],
    "verses": [n["verse_arabic"] for n in NAMES if n["verse_arabic"]],
}

MEASURE = """async (texts) => {
  await document.fonts.ready;
  const context = document.createElement("canvas").getContext("2d");
  context.direction = "rtl";
  const found = [];
  for (const element of document.querySelectorAll('[lang="ar"]')) {
    if (!element.checkVisibility()) continue;  // not shown (a closed details, say)
    // A language's own name ("العربية" in the switcher, an offer of the Arabic page): plain
    // words without harakat, in the system's face, so that English pages load no Arabic face.
    if (element.closest(".language-switcher, .language-suggestion")) continue;
    const style = getComputedStyle(element);
    const font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const family = style.fontFamily.split(",")[0].replaceAll('"', "");
    await document.fonts.load(font, element.textContent);  // below the fold it may wait
    const loaded = document.fonts.check(font, element.textContent);
    context.font = font;
    const size = parseFloat(style.fontSize);
    const lineHeight = style.lineHeight === "normal" ? NaN : parseFloat(style.lineHeight);
    const kind = element.classList.contains("verse__arabic") ? "verses" : "names";
    let up = 0, down = 0, ascent = 0, descent = 0, highest = "", lowest = "";
    for (const text of [element.textContent.trim(), ...texts[kind]]) {
      const m = context.measureText(text);
      ascent = m.fontBoundingBoxAscent; descent = m.fontBoundingBoxDescent;
      if (m.actualBoundingBoxAscent > up) { up = m.actualBoundingBoxAscent; highest = text; }
      if (m.actualBoundingBoxDescent > down) { down = m.actualBoundingBoxDescent; lowest = text; }
    }
    const half = (lineHeight - ascent - descent) / 2;
    const needed = (ascent + descent + 2 * Math.max(0, up - ascent, down - descent)) / size;
    found.push({where: element.className || element.tagName, family, loaded, size,
                lineHeight: lineHeight / size, needed, fits: up <= ascent + half + 0.5
                && down <= descent + half + 0.5, highest: highest.slice(0, 20),
                lowest: lowest.slice(0, 20)});
  }
  return found;
}"""


def misfits(page, url: str) -> tuple[list[str], set[str]]:
    """What does not fit on `url` at each width, and the classes of the elements measured."""
    problems, measured = [], set()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        for item in page.evaluate(MEASURE, TEXTS):
            measured.add(item["where"])
            face = f"{item['size']:.0f} px {item['family']}"
            where = f"{url} at {width} px, .{item['where']} ({face})"
            if item["family"] not in FACES or not item["loaded"]:
                problems.append(f"{where}: not in a vendored face, loaded")
            elif not item["fits"]:
                marks = f"{item['highest']} / {item['lowest']}"
                problems.append(f"{where}: line height {item['lineHeight']:.2f} needs "
                                f"{item['needed']:.2f} ({marks})")  # fmt: skip
    return list(dict.fromkeys(problems)), measured  # a place repeated (the cards) once


def test_the_harakat_fit_the_lines_of_every_arabic_place_a_visitor_sees(browser, site):
    page, _ = open_page(browser, f"{site}/")
    problems, measured = [], set()
    for path in ("/", "/names/", "/names/1/", "/names/85/", "/names/?q=الله"):
        found, classes = misfits(page, site + path)
        problems += found
        measured |= classes
    assert problems == [], "\n".join(problems)
    # Every kind of place was measured: the hero, the cards, a name's heading, its dhikr and
    # its verse (so a renamed class cannot make this pass by measuring nothing).
    assert {"hero__arabic arabic", "name-card__arabic arabic", "name__arabic arabic",
            "dhikr-arabic arabic", "verse__arabic arabic"} <= measured  # fmt: skip


def test_the_harakat_fit_the_lines_of_the_sitting_and_the_journal(browser, site):
    user = UserFactory()
    sitting = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    entry = MeditationSessionFactory(user=user)
    page, _ = sign_in_page(browser, site, user=user)
    problems, measured = [], set()
    for path in (f"/meditate/{sitting.pk}/", "/journal/", entry.get_absolute_url(),
                 "/journal/stats/"):  # fmt: skip
        found, classes = misfits(page, site + path)
        problems += found
        measured |= classes
    assert problems == [], "\n".join(problems)
    assert {"name__arabic arabic", "dhikr__arabic arabic"} <= measured


def test_the_measure_finds_a_line_too_tight_for_the_harakat(browser, site):
    """The check itself: the line height the site had before (1.6) is found too tight."""
    page, _ = open_page(browser, f"{site}/names/4/", context=browser.new_context(bypass_csp=True))
    page.add_style_tag(content=".name__arabic { line-height: 1.6 !important; }")
    found = [item for item in page.evaluate(MEASURE, TEXTS) if "name__arabic" in item["where"]]
    assert found
    assert not found[0]["fits"]
    assert found[0]["needed"] > 2.0
