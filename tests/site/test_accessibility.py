"""axe (axe-core, from npm through scripts/test_tools.sh) finds no violation on any page
(issue 14), at a phone's width and a laptop's, in the light and in the dark, as a visitor and
signed in; and in Arabic, right to left, under /ar/ (issue 17)."""

from __future__ import annotations

import pytest

from tests import ROOT
from tests.browser import VISITOR_PAGES, marks, person_pages, sign_in_page

AXE = ROOT / "tests" / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")  # each page is loaded once a width, and checked in both

pytestmark = [*marks, pytest.mark.sweeps]


def violations(page, url, schemes=("light",)) -> list[str]:
    """axe's violations on `url` in each colour scheme, as "scheme: url: rule (impact): the
    first elements' selectors"."""
    assert AXE.exists(), "axe-core is missing: run scripts/test_tools.sh (make test does)"
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = []
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        found += [f"{scheme}: {url}: {text}" for text in page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v =>
                `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).slice(0, 3)}`);
        }""")]  # fmt: skip
    return found


def each_view(browser, paths, sign_in=None) -> list[str]:
    found = []
    for width in WIDTHS:
        # The page's CSP allows only its own scripts: the test context lets axe in.
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
        page = sign_in(context) if sign_in else context.new_page()
        found += [f"{width} px, {v}" for path in paths for v in violations(page, path, SCHEMES)]
        context.close()
    return found


@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["English", "Arabic"])
def test_no_visitors_page_has_an_accessibility_violation(browser, site, prefix):
    found = each_view(browser, [site + prefix + path for path in VISITOR_PAGES])
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["English", "Arabic"])
def test_no_page_of_a_signed_in_person_has_an_accessibility_violation(browser, site, user,
                                                                      prefix):  # fmt: skip
    paths = [site + prefix + path for path in person_pages(user)]

    def signed_in(context):
        page, _ = sign_in_page(browser, site, user=user, context=context)
        return page

    found = each_view(browser, paths, signed_in)
    assert found == [], "\n".join(found)


def test_axe_finds_a_violation_when_there_is_one(browser, site):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.route("**/broken/", lambda route: route.fulfill(
        status=200, content_type="text/html",
        body="<!doctype html><html><title>x</title><img src=/x.png>"))  # fmt: skip
    assert violations(page, f"{site}/broken/")


def test_the_dark_scheme_is_checked_in_the_dark(browser, site):
    """The scheme switched on a loaded page applies: a colour too faint only in the dark is
    found in the dark, not in the light."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    body = (
        "<!doctype html><html lang=en><title>x</title><style>@media (prefers-color-scheme:"
        " dark) { body { background: #111; color: #222 } }</style><main><p>Faint</p>"
    )
    page.route("**/faint/", lambda route: route.fulfill(status=200, content_type="text/html",
                                                          body=body))  # fmt: skip
    found = violations(page, f"{site}/faint/", SCHEMES)
    assert [v.split(":")[0] for v in found if "color-contrast" in v] == ["dark"]
