"""The dhikr counter on a phone's connection (issue 14): every tap counts at once, in the
browser, and the running total reaches the server in the background, through latency, going
offline and a reload, never counted twice."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from meditation.models import MeditationSession
from tests.browser import marks, sign_in_page, slow_network

pytestmark = marks
WAIT_SECONDS = 20  # how long the server may take to hear of the taps (not a speed test)


def stored_count() -> int:
    return MeditationSession.objects.get().dhikr_count


def server_reaches(count: int) -> None:
    """Wait until the server has `count`, failing if it passes it or never gets there."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (stored := stored_count()) != count:
        assert stored < count, f"the server counted {stored}, more than the {count} taps"
        assert time.monotonic() < deadline, f"the server has {stored} of {count} taps"
        time.sleep(0.1)


def begin(browser, site):
    page, problems = sign_in_page(browser, site)
    page.goto(f"{site}/meditate/?name=1")
    page.fill("#id_intention", "To remember")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_be_visible()
    page.click("text=Begin")
    return page, problems


def tap(page, times: int, every_ms: int) -> None:
    for _ in range(times):
        page.click("#dhikr-tap")
        page.wait_for_timeout(every_ms)


@pytest.mark.parametrize("every_ms", [150, 300])
def test_twenty_taps_through_300_ms_of_latency_count_twenty(browser, site, every_ms):
    page, problems = begin(browser, site)
    slow_network(page, latency_ms=300)
    tap(page, 20, every_ms)
    expect(page.locator(".dhikr__number")).to_have_text("20")
    server_reaches(20)
    page.wait_for_timeout(1000)  # nothing late adds to it
    assert stored_count() == 20
    assert problems == []


def test_taps_made_offline_are_saved_when_the_connection_returns(browser, site):
    page, _ = begin(browser, site)
    tap(page, 3, 100)
    server_reaches(3)
    page.context.set_offline(True)
    tap(page, 5, 150)
    expect(page.locator(".dhikr__number")).to_have_text("8")
    expect(page.locator("[data-dhikr-sync]")).to_contain_text("offline")
    assert stored_count() == 3
    page.context.set_offline(False)
    server_reaches(8)
    expect(page.locator("[data-dhikr-sync]")).to_be_hidden()
    tap(page, 2, 150)  # and counting goes on
    server_reaches(10)


def test_taps_the_server_did_not_hear_survive_a_reload(browser, site):
    page, _ = begin(browser, site)
    page.route("**/dhikr/", lambda route: route.abort())  # the server is unreachable
    tap(page, 6, 100)
    expect(page.locator("[data-dhikr-sync]")).to_be_visible()
    assert stored_count() == 0
    page.unroute("**/dhikr/")
    page.reload()
    expect(page.locator(".dhikr__number")).to_have_text("6")  # kept on the device
    server_reaches(6)
    tap(page, 1, 0)
    expect(page.locator(".dhikr__number")).to_have_text("7")
    server_reaches(7)


def test_finishing_straight_after_the_taps_keeps_every_one(browser, site):
    page, _ = begin(browser, site)
    slow_network(page, latency_ms=300)
    tap(page, 7, 50)
    page.click("[data-end]")
    page.click(".finish button[type=submit]")
    expect(page.locator(".message")).to_contain_text("saved in your journal")
    assert stored_count() == 7


def test_a_screen_reader_hears_the_target_not_every_tap(browser, site):
    page, _ = begin(browser, site)
    status = page.locator("[data-dhikr-status]")
    assert status.get_attribute("role") == "status"
    tap(page, 5, 0)
    expect(status).to_have_text("")
    expect(page.locator(".dhikr__done")).to_be_hidden()
    tap(page, 28, 0)  # to 33, the default target
    expect(status).to_have_text("You have reached 33.")
    expect(page.locator(".dhikr__done")).to_be_visible()
    server_reaches(33)


def test_each_tap_is_felt_where_the_device_can_vibrate(browser, site):
    page, _ = begin(browser, site)
    page.evaluate("""() => {
        window.felt = [];
        navigator.vibrate = (pattern) => { window.felt.push(pattern); return true; };
    }""")
    tap(page, 2, 0)
    assert page.evaluate("window.felt") == [12, 12]
