"""The sitting as a calm screen (issue 14): Begin unlocks sound and keeps the screen awake,
the timer and the count survive a reload, End leads to a closing screen, and the bells can be
chosen and are remembered."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from meditation.models import MeditationSession
from tests.browser import expect_focused, marks, sign_in_page
from tests.factories import UserFactory, make_entries

pytestmark = marks

# Stand-ins that record what the page asks of the device (headless Chromium has no screen to
# keep awake, and its audio starts suspended as a phone's does).
RECORDERS = """
window.asked = {wake: [], audio: []};
Object.defineProperty(navigator, "wakeLock", {configurable: true, value: {request: (type) => {
    window.asked.wake.push(type);
    return Promise.resolve({release: () => Promise.resolve(), addEventListener: () => {}});
}}});
const Real = window.AudioContext;
window.AudioContext = function (...args) {
    const context = new Real(...args);
    window.asked.audio.push(context);
    return context;
};
"""


def sitting_page(browser, site, user=None, minutes="3"):
    page, problems = sign_in_page(browser, site, user=user)
    page.add_init_script(RECORDERS)
    page.goto(f"{site}/meditate/?name=1")
    page.fill("#id_intention", "To remember")
    page.check(f"input[name=length][value='{minutes}']")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_be_visible()
    return page, problems


def test_begin_keeps_the_screen_awake_and_unlocks_sound(browser, site):
    page, problems = sitting_page(browser, site)
    assert page.evaluate("window.asked.wake") == []  # nothing before the gesture
    page.click("text=Begin")
    page.wait_for_function("() => window.asked.wake.length > 0")
    assert page.evaluate("window.asked.wake") == ["screen"]
    # The sound is started from the tap itself, so it runs where audio needs a gesture.
    page.wait_for_function("() => window.asked.audio.length === 1")
    page.wait_for_function("() => window.asked.audio[0].state === 'running'")
    expect(page.locator("[data-end]")).to_be_visible()
    expect(page.locator("text=Begin")).to_be_hidden()
    assert problems == []


def test_the_timer_and_the_count_carry_on_after_a_reload(browser, site):
    page, _ = sitting_page(browser, site)
    page.click("text=Begin")
    for _ in range(3):
        page.click("#dhikr-tap")
    page.wait_for_timeout(2200)
    page.reload()
    expect(page.locator(".dhikr__number")).to_have_text("3")
    expect(page.locator("text=Begin")).to_be_hidden()  # still running
    elapsed = int(page.locator("#id_elapsed_seconds").input_value())
    assert elapsed >= 2  # counted from Begin, not from the reload
    page.click("text=Pause")
    expect(page.locator("text=Resume")).to_be_visible()
    page.reload()
    expect(page.locator("text=Resume")).to_be_visible()  # paused it was, paused it is


def test_end_leads_to_the_closing_screen_with_the_streak_and_a_line_of_the_name(browser, site):
    user = UserFactory()
    make_entries(user, 1, started_at=timezone.now() - datetime.timedelta(days=1))
    page, _ = sitting_page(browser, site, user=user)
    page.click("text=Begin")
    page.click("#dhikr-tap")
    page.click("[data-end]")
    closing = page.locator("[data-closing]")
    expect(closing).to_be_visible()
    expect_focused(page, "#closing-heading")
    expect(closing.locator("[data-closing-count]")).to_have_text("1")
    assert "2 days" in closing.inner_text()  # yesterday and today
    assert closing.locator(".closing__line").inner_text().strip()
    expect(page.locator("#dhikr")).to_be_hidden()
    page.reload()  # ended before a reload: straight back to the reflection
    expect(closing).to_be_visible()
    page.fill("#id_reflection", "Quiet.")
    page.click(".finish button[type=submit]")
    expect(page.locator(".message")).to_contain_text("saved in your journal")
    entry = MeditationSession.objects.filter(user=user).latest("started_at")
    assert (entry.finished, entry.reflection, entry.dhikr_count) == (True, "Quiet.", 1)


def test_the_bell_and_its_volume_are_remembered(browser, site):
    page, _ = sitting_page(browser, site)
    page.click(".sound summary")
    page.check("input[name=bell][value=chime]")
    page.fill("input[name=volume]", "30")
    page.locator("input[name=volume]").dispatch_event("change")
    page.reload()
    page.click(".sound summary")
    expect(page.locator("input[name=bell][value=chime]")).to_be_checked()
    expect(page.locator("input[name=volume]")).to_have_value("30")


def test_on_a_laptop_the_timer_and_the_counter_are_above_the_fold(browser, site):
    page, _ = sign_in_page(browser, site)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/meditate/?name=85")  # the longest name's Arabic
    page.fill("#id_intention", "To remember")
    page.click("main button[type=submit]")
    for selector in ("[data-begin]", "#dhikr-tap"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 800, selector


def test_full_screen_shows_the_sitting_alone_and_is_left_again(browser, site):
    page, problems = sitting_page(browser, site)
    button = page.locator("[data-fullscreen]")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    page.wait_for_function("() => document.fullscreenElement?.matches('article.session')")
    expect(button).to_have_attribute("aria-pressed", "true")
    page.click("text=Begin")  # the sitting runs in full screen
    page.click("#dhikr-tap")
    expect(page.locator(".dhikr__number")).to_have_text("1")
    button.click()
    page.wait_for_function("() => document.fullscreenElement === null")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert problems == []


def test_what_a_sitting_keeps_on_the_device_is_dropped_after_a_week(browser, site):
    page, _ = sitting_page(browser, site)
    page.evaluate("""() => {
        const day = 86400000, now = Date.now();
        const put = (key, value) => localStorage.setItem(key, JSON.stringify(value));
        put("aysekai.sitting.old", {begun: now - 9 * day, paused: 0, at: now - 8 * day});
        put("aysekai.sitting.before-at", {begun: now - 8 * day, paused: 0});
        put("aysekai.sitting.recent", {begun: now - day, paused: 0, at: now - day});
        put("aysekai.dhikr.old", {total: 5, at: now - 8 * day});
        put("aysekai.dhikr.recent", {total: 5, at: now - day});
        put("aysekai.sound", {bell: "chime", volume: 40});
    }""")
    page.reload()
    page.click("text=Begin")
    kept = page.evaluate("() => Object.keys(localStorage).sort()")
    current = page.evaluate("() => document.querySelector('[data-sitting]').dataset.sitting")
    assert kept == sorted(["aysekai.sitting.recent", "aysekai.dhikr.recent", "aysekai.sound",
                           f"aysekai.sitting.{current}"])  # fmt: skip
