"""The site on a phone (issue 14): no page scrolls sideways at 320 or 390 px, as a visitor or
signed in, with or without JavaScript; the navigation folds behind a Menu button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import (
    VISITOR_PAGES,
    expect_focused,
    marks,
    open_page,
    person_pages,
    sign_in_page,
)
from tests.factories import UserFactory

pytestmark = [*marks, pytest.mark.sweeps]
WIDTHS = (320, 390)


def sideways(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def overflowing(page, url, widths=WIDTHS) -> list[str]:
    found = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        if (extra := sideways(page)) > 0:
            found.append(f"{url} at {width} px: {extra} px too wide")
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_visitors_page_scrolls_sideways(browser, site, javascript):
    page, _ = open_page(browser, f"{site}/", javascript=javascript)
    problems = [problem for path in VISITOR_PAGES for problem in overflowing(page, site + path)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_visitors_page_in_arabic_scrolls_sideways(browser, site, javascript):
    """Right to left, under /ar/ (issue 17): the same pages, mirrored, fit a phone too."""
    page, _ = open_page(browser, f"{site}/ar/", javascript=javascript)
    problems = [p for path in VISITOR_PAGES for p in overflowing(page, f"{site}/ar{path}")]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_page_of_a_signed_in_person_scrolls_sideways(browser, site, javascript):
    user = UserFactory()
    paths = person_pages(user)
    page, _ = sign_in_page(browser, site, javascript=javascript, user=user)
    problems = [problem for path in paths for problem in overflowing(page, site + path)]
    assert problems == [], "\n".join(problems)


def test_the_menu_folds_on_a_phone_and_opens_by_keyboard(browser, site):
    page, problems = sign_in_page(browser, site)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{site}/journal/")
    toggle = page.locator(".site-nav__toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-menu")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#site-menu")).to_be_hidden()
    expect_focused(page, ".site-nav__toggle")
    assert problems == [], "\n".join(problems)


def test_a_wide_screen_shows_the_links_without_a_menu_button(browser, site):
    page, _ = sign_in_page(browser, site)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/journal/")
    expect(page.locator(".site-nav__toggle")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_without_javascript_a_phone_sees_every_link(browser, site):
    page, _ = sign_in_page(browser, site, javascript=False)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{site}/journal/")
    expect(page.locator(".site-nav__toggle")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_names_are_in_two_columns_on_a_phone(browser, site):
    page, _ = open_page(browser, f"{site}/names/")
    page.set_viewport_size({"width": 320, "height": 700})
    lefts = page.evaluate(
        "[...document.querySelectorAll('.name-card')].slice(0, 4)"
        ".map(card => Math.round(card.getBoundingClientRect().left))"
    )
    assert lefts[0] == lefts[2] < lefts[1] == lefts[3]
