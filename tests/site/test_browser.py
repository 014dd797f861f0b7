"""The pages as a person meets them, in headless Chromium (with and without JavaScript).

Uses the machine's Chromium (Debian's `chromium` package); never a downloaded browser.
"""

from playwright.sync_api import expect

from tests.browser import marks, open_page, sign_in_page

pytestmark = marks


def test_it_searches_live_with_htmx_under_the_strict_csp(browser, site):
    page, problems = open_page(browser, f"{site}/names/")
    expect(page.locator(".name-card")).to_have_count(99)
    page.fill("#id_q", "رحمن")
    expect(page.locator(".name-card")).to_have_count(1)
    assert "Ar-Raḥmān" in page.locator("#results").inner_text()
    assert "q=" in page.url  # the search is in the address bar, so it can be shared
    page.fill("#id_q", "qwertyuiop")
    expect(page.locator("#results .empty")).to_be_visible()
    assert problems == []  # no CSP violation, no script error


def test_it_searches_without_javascript(browser, site):
    page, _ = open_page(browser, f"{site}/names/", javascript=False)
    page.fill("#id_q", "light")
    page.click("button[type=submit]")
    page.wait_for_url("**/names/?q=light")
    assert "An-Nūr" in page.locator("#results").inner_text()


def test_it_walks_from_the_name_of_the_day_to_its_neighbours(browser, site):
    page, problems = open_page(browser, f"{site}/")
    page.click("text=Browse all 99 names")
    page.click(".name-card >> nth=0")
    heading = page.locator("h1 .name__arabic")
    assert heading.get_attribute("lang") == "ar"
    assert heading.get_attribute("dir") == "rtl"
    page.click("a[rel=next]")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.fonts.check('1em Amiri', 'الرحمن')")
    assert problems == []


def test_it_signs_up_signs_out_and_signs_in_again(browser, site):
    page, problems = open_page(browser, f"{site}/accounts/signup/")
    page.fill("#id_email", "browser@example.com")
    page.fill("#id_password1", "a quiet evening passphrase")
    page.fill("#id_password2", "a quiet evening passphrase")
    page.click("main button[type=submit]")
    expect(page.locator(".message")).to_contain_text("Your account is ready")
    page.click("text=Sign out")
    expect(page.locator(".message")).to_contain_text("You are signed out")
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", "browser@example.com")
    page.fill("#id_password", "a quiet evening passphrase")
    page.click("main button[type=submit]")
    expect(page.locator("nav.site-nav")).to_contain_text("Settings")
    assert problems == []


def test_it_holds_a_whole_session_with_javascript(browser, site):
    page, problems = sign_in_page(browser, site)
    page.goto(f"{site}/meditate/")
    page.fill("#id_intention", "To listen more than I speak")
    page.check("input[name=length][value='3']")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_be_visible()
    expect(page.locator("#id_reflection")).to_be_hidden()  # the form waits for End
    page.click("text=Begin")
    clock = page.locator("[data-countdown-time]")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=3000)  # the countdown runs
    page.keyboard.press("+")
    expect(page.locator(".dhikr__number")).to_have_text("1")
    page.click("#dhikr-tap")
    expect(page.locator(".dhikr__number")).to_have_text("2")
    expect(page.locator("#id_dhikr_count")).to_have_value("2")
    page.click("[data-end]")
    closing = page.locator("[data-closing]")
    expect(closing).to_be_visible()
    expect(closing.locator("[data-closing-count]")).to_have_text("2")
    expect(closing.locator("[data-closing-time]")).to_contain_text("second")
    expect(page.locator("#id_dhikr_count")).to_be_hidden()  # filled in, not asked
    page.fill("#id_reflection", "Listening is a kind of mercy.")
    page.select_option("#id_mood", "grateful")
    page.click(".finish button[type=submit]")
    expect(page.locator(".message")).to_contain_text("saved in your journal")
    expect(page.locator("#entry-body")).to_contain_text("Listening is a kind of mercy.")
    assert "2 of 33" in page.locator(".entry__facts").inner_text()
    # Inline edit with htmx: the page does not reload.
    page.click("text=Edit reflection and mood")
    page.fill("#id_reflection", "Edited in place.")
    page.click("#entry-body button[type=submit]")
    expect(page.locator("#entry-body")).to_contain_text("Edited in place.")
    assert problems == []


def test_it_holds_a_whole_session_without_javascript(browser, site):
    page, _ = sign_in_page(browser, site, javascript=False)
    page.goto(f"{site}/meditate/?name=93")
    page.fill("#id_intention", "Light for the way")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_contain_text("An-Nūr")
    page.click("#dhikr-tap")  # a plain form post and reload
    expect(page.locator(".dhikr__number")).to_have_text("1")
    page.fill("#id_minutes", "4")
    page.fill("#id_reflection", "Written without scripts.")
    page.click(".finish button[type=submit]")
    expect(page.locator("#entry-body")).to_contain_text("Written without scripts.")
    facts = page.locator(".entry__facts").inner_text()
    assert "1 of 33" in facts


def test_it_lets_a_visitor_meditate(browser, site):
    page, problems = open_page(browser, f"{site}/meditate/")
    page.fill("#id_intention", "Just passing through")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_be_visible()
    page.click("text=Begin")
    page.click("[data-end]")
    page.click(".finish button[type=submit]")
    expect(page.locator("h1")).to_have_text("Session complete")
    assert problems == []


def test_it_prepares_and_downloads_an_export(browser, site, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    page, problems = sign_in_page(browser, site)
    page.goto(f"{site}/exports/")
    page.check("input[name=format][value=json]")
    page.click("main form button[type=submit]")
    expect(page.locator(".job--done")).to_be_visible()
    with page.expect_download() as info:
        page.click(".job--done a.button")
    assert info.value.suggested_filename.endswith(".json")
    assert problems == []


def test_it_suggests_the_devices_time_zone_in_settings(browser, site):
    from accounts.models import User
    from tests.factories import UserFactory

    user = UserFactory()
    # India: Chromium reports the zone by its older name (Asia/Calcutta), the list has the new.
    context = browser.new_context(timezone_id="Asia/Kolkata")
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{site}/accounts/login/?next=/accounts/settings/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "a long test passphrase")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/accounts/settings/")
    expect(page.locator("#id_time_zone")).to_have_value("UTC")
    suggestion = page.locator(".zone-suggestion button")
    expect(suggestion).to_have_text("Use Asia/Kolkata, this device's time zone")
    suggestion.click()
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Kolkata")
    expect(suggestion).to_have_count(0)
    page.click("main form button[type=submit]")
    expect(page.locator(".message")).to_contain_text("Your settings are saved")
    assert User.objects.get(pk=user.pk).time_zone == "Asia/Kolkata"
    expect(page.locator(".zone-suggestion")).to_have_count(0)  # nothing left to suggest
    assert problems == []
