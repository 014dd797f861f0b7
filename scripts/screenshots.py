"""The screenshots in docs/screenshots/ (the sitting on a phone and a laptop, its closing
screen; the Arabic interface, right to left): `python scripts/screenshots.py
http://127.0.0.1:8000 EMAIL PASSWORD` against a running site (`make run`) with that account,
on the machine's Chromium; `--arabic` makes only the Arabic ones (no account needed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGUMENTS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


# The Arabic interface (issue 17): a visitor's pages under /ar/, on a phone and a laptop.
ARABIC_PAGES = {
    "home": "/ar/",
    "names": "/ar/names/",
    "name": "/ar/names/1/",
    "learn": "/ar/learn/",
}


def arabic(browser: Any, site: str) -> None:
    for width, height, device in ((390, 844, "phone"), (1280, 800, "desktop")):
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        for label, path in ARABIC_PAGES.items():
            page.goto(f"{site}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"arabic-{label}-{device}.png")
        page.context.close()


def main(site: str, email: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGUMENTS)
        arabic(browser, site)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.goto(f"{site}/accounts/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/")
        page.goto(f"{site}/meditate/?name=1")
        page.fill("#id_intention", "To be gentle with those I love")
        page.click("main button[type=submit]")
        page.click("text=Begin")
        for _ in range(7):
            page.click("#dhikr-tap")
        page.wait_for_timeout(4000)
        page.screenshot(path=OUT / "sitting-phone.png")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=OUT / "sitting-desktop.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.click("[data-end]")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "closing-phone.png")
        browser.close()


def arabic_only(site: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGUMENTS)
        arabic(browser, site)
        browser.close()


if __name__ == "__main__":
    if "--arabic" in sys.argv:
        arabic_only(sys.argv[1])
    else:
        main(*sys.argv[1:4])
