"""The practice calendar on a phone and by keyboard (issue 14): it opens at today, it can be
scrolled from the keyboard, and no month label is cut off."""

from __future__ import annotations

from tests.browser import marks, sign_in_page
from tests.factories import UserFactory, make_entries

pytestmark = marks


def test_on_a_phone_the_calendar_opens_at_today(browser, site):
    user = UserFactory()
    make_entries(user, 3)
    page, problems = sign_in_page(browser, site, user=user)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{site}/journal/stats/")
    scroller = page.locator(".heatmap-scroll")
    box = scroller.bounding_box()
    today = page.locator(".heatmap rect").last.bounding_box()
    first = page.locator(".heatmap rect").first.bounding_box()
    assert box["x"] <= today["x"]
    assert today["x"] + today["width"] <= box["x"] + box["width"]
    assert first["x"] < box["x"]  # a year back is scrolled out of sight, to the left
    assert problems == []


def test_the_calendar_scrolls_by_keyboard(browser, site):
    page, _ = sign_in_page(browser, site)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{site}/journal/stats/")
    scroller = page.locator(".heatmap-scroll")
    for _ in range(40):  # tab until the calendar has the focus
        page.keyboard.press("Tab")
        if scroller.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the calendar never receives the focus")
    before = scroller.evaluate("element => element.scrollLeft")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    for _ in range(50):  # smooth scrolling takes a moment (no eval under the CSP: polled here)
        if scroller.evaluate("element => element.scrollLeft") < before:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the arrow keys do not scroll the calendar")


def test_no_month_label_is_cut_off(browser, site):
    page, _ = sign_in_page(browser, site)
    page.goto(f"{site}/journal/stats/")
    overflow = page.evaluate("""() => {
        const svg = document.querySelector('.heatmap');
        const width = svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('.heatmap__label')]
            .map(label => label.getBBox())
            .filter(box => box.x + box.width > width || box.x < 0).length;
    }""")
    assert overflow == 0
