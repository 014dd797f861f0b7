"""The screenshots in docs/screenshots/ (the sitting on a phone and a laptop, its closing
screen): `python scripts/screenshots.py http://127.0.0.1:8000 EMAIL PASSWORD` against a running
site (`make run`) with that account, on the machine's Chromium."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGUMENTS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def main(site: str, email: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGUMENTS)
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


if __name__ == "__main__":
    main(*sys.argv[1:4])
