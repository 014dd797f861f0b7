"""The journal in a browser: an unfinished sitting discarded from its row, then undone."""

from __future__ import annotations

from playwright.sync_api import expect

from meditation.models import MeditationSession
from tests.browser import marks, sign_in_page
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = marks


def test_an_unfinished_sitting_is_discarded_from_the_journal_and_the_undo_brings_it_back(
    browser, site
):
    user = UserFactory()
    entry = MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None)
    page, problems = sign_in_page(browser, site, user=user)
    page.goto(f"{site}/journal/")
    page.click("text=Discard")
    expect(page.locator(".message")).to_contain_text("in the trash")
    assert MeditationSession.objects.get(pk=entry.pk).deleted_at is not None
    page.click(".undo button")
    expect(page.locator(".message")).to_contain_text("back in your journal")
    assert MeditationSession.objects.get(pk=entry.pk).deleted_at is None
    expect(page.locator("text=Continue it")).to_be_visible()
    assert problems == []
