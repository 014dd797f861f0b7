"""The meditate form's name picker (issue 14): with JavaScript, "Find a name" narrows the
select of the 99 through the site's own search, and one match is chosen; the form then begins
a sitting with that name. Without JavaScript the select is the picker."""

from __future__ import annotations

from playwright.sync_api import expect

from meditation.models import MeditationSession
from tests.browser import marks, open_page, sign_in_page

pytestmark = marks


def offered(page) -> list[str]:
    return page.eval_on_selector_all("select[name=number] option", "os => os.map(o => o.value)")


def test_a_name_is_found_by_a_spelling_and_chosen(browser, site):
    page, problems = sign_in_page(browser, site)
    page.goto(f"{site}/meditate/")
    assert len(offered(page)) == 100  # the draw and the 99
    page.fill("#id_intention", "To be patient")
    page.fill("#name-picker", "sabour")
    expect(page.locator("#name-picker-status")).to_have_text("One name matches, and it is chosen.")
    assert offered(page) == ["", "99"]
    expect(page.locator("select[name=number]")).to_have_value("99")
    page.fill("#name-picker", "")
    expect(page.locator("select[name=number] option")).to_have_count(100)
    expect(page.locator("select[name=number]")).to_have_value("99")  # the choice stays
    page.fill("#name-picker", "mercy")
    expect(page.locator("#name-picker-status")).to_contain_text("names match")
    found = offered(page)
    assert found[0] == ""
    assert "1" in found
    assert "2" in found
    assert len(found) < 100
    page.select_option("select[name=number]", "2")
    page.press("#name-picker", "Enter")  # searches again; it does not submit the form
    assert page.url.endswith("/meditate/")
    page.click("main button[type=submit]")
    expect(page.locator("h1#session-heading")).to_contain_text("Ar-Raḥīm")
    assert MeditationSession.objects.get().name.number == 2
    assert problems == []


def test_an_arabic_query_and_no_match_are_said_plainly(browser, site):
    page, _ = open_page(browser, f"{site}/meditate/")
    page.fill("#name-picker", "الصبور")
    expect(page.locator("select[name=number]")).to_have_value("99")
    page.fill("#name-picker", "qwertyuiop")
    expect(page.locator("#name-picker-status")).to_contain_text("will be drawn for you")
    assert offered(page) == [""]


def test_without_javascript_the_select_is_the_picker(browser, site):
    page, _ = open_page(browser, f"{site}/meditate/", javascript=False)
    expect(page.locator("#name-picker")).to_have_count(0)
    assert len(offered(page)) == 100


def test_it_asks_the_names_api_and_says_when_search_is_unavailable(browser, site):
    page, _ = open_page(browser, f"{site}/meditate/")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.fill("#name-picker", "sabour")
    expect(page.locator("select[name=number]")).to_have_value("99")
    assert any(url.startswith(f"{site}/api/names/?q=sabour") for url in asked)
    page.route("**/api/names/**", lambda route: route.fulfill(status=503, body="down"))
    page.fill("#name-picker", "mercy")
    expect(page.locator("#name-picker-status")).to_contain_text("Search is unavailable")
    expect(page.locator("select[name=number] option")).to_have_count(100)
