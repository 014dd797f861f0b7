"""What the browser tests share: the machine's Chromium (Debian's `chromium` package, never a
downloaded browser), a page that records every console error, failed response and script
error, signing in, and the network conditions of a phone (CDP emulation).

The `browser` and `site` fixtures are in tests/conftest.py.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGUMENTS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
             "--disable-component-update", "--no-first-run"]  # fmt: skip

# Every page, as a visitor and signed in (the phone layout, axe and vnu go through them all).
VISITOR_PAGES = ("/", "/names/", "/names/1/", "/names/?q=mercy", "/names/?q=الله",
                 "/names/?q=qwertyuiop", "/about/", "/meditate/", "/learn/", "/learn/recite/",
                 "/api/", "/accounts/login/",
                 "/accounts/signup/", "/accounts/password_reset/", "/no-such-page/")  # fmt: skip
PERSON_PAGES = ("/", "/names/", "/names/99/", "/meditate/", "/learn/", "/learn/?name=47",
                "/learn/settings/", "/journal/", "/journal/?q=mercy",
                "/journal/stats/", "/journal/trash/", "/journal/import/", "/exports/",
                "/accounts/settings/", "/accounts/settings/email/", "/accounts/settings/tokens/",
                "/accounts/password_change/", "/accounts/two_factor/",
                "/accounts/delete/")  # fmt: skip
# Long Arabic, mixed direction and an unbroken word: what a person may write.
LONG_WORDS = "راحة القلب في ذكر الله, mercy " + "unbrokenwordwithoutanyspaceatall" * 3


def person_pages(user) -> list[str]:
    """`PERSON_PAGES` and the pages of `user`'s own things, which this makes: a finished entry
    with long mixed-direction words, a sitting in progress, an entry in the trash, an export,
    and a card due for a typed answer (the first `/learn/` asks)."""
    from django.utils import timezone

    from meditation.learn import cards
    from meditation.models import DivineName, Rating
    from tests.factories import ExportJobFactory, MeditationSessionFactory

    entry = MeditationSessionFactory(user=user, intention=LONG_WORDS, reflection=LONG_WORDS)
    sitting = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    MeditationSessionFactory(user=user, deleted_at=timezone.now())
    ExportJobFactory(owner=user)
    long_ago = timezone.now() - datetime.timedelta(days=60)
    card = cards.new_card(user, DivineName.objects.get(number=2), "meaning", long_ago.date(),
                          long_ago)  # fmt: skip
    cards.review(card, Rating.EASY, long_ago.date(), long_ago)
    return [*PERSON_PAGES, entry.get_absolute_url(), f"/journal/{entry.pk}/edit/",
            f"/meditate/{sitting.pk}/"]  # fmt: skip


# For a module of browser tests: skipped without Chromium; a real database the live server
# shares.
marks = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def open_page(browser, url, *, javascript=True, context=None):
    """A new page at `url` (in a new context unless one is given) and the list its console
    errors and warnings, script errors and 4xx/5xx responses are added to."""
    context = context or browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(url)
    return page, problems


def sign_in_page(browser, site, *, javascript=True, user=None, context=None):
    """A page signed in as `user` (a new person by default), on the home page (in a new
    context unless one is given)."""
    from tests.factories import PASSWORD, UserFactory

    user = user or UserFactory()
    page, problems = open_page(browser, f"{site}/accounts/login/", javascript=javascript,
                               context=context)  # fmt: skip
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")
    return page, problems


def slow_network(page, *, latency_ms: int) -> None:
    """Every request of `page` waits `latency_ms` each way, as on a phone's connection."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms, "downloadThroughput": -1,
        "uploadThroughput": -1,
    })  # fmt: skip


def expect_focused(page, selector: str, *, timeout: float = 5000) -> None:
    """Wait until the page's focused element (`document.activeElement`) matches `selector`.

    This is what a page's script controls, and where the next key goes. Playwright's
    `to_be_focused()` also needs `document.hasFocus()`, which headless Chromium can report as
    false for a while on a loaded machine (CI failed so, with the focus in the right place).
    On a timeout the message says what had the focus instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "s => !!document.activeElement && document.activeElement.matches(s)",
            arg=selector, timeout=timeout,
        )  # fmt: skip
    except PlaywrightTimeout:
        held = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? e.outerHTML.slice(0, 200) : 'nothing'; }"
        )
        raise AssertionError(f"{selector} never had the focus; {held} had it") from None
