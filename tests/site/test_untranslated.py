"""Every page under /tr/ and /ar/ is in its language: no interface string left in English
(issue 17).

Each page of the sweep lists (tests/browser.py: a visitor's and a person's, with their own
entry, sitting, export and cards) is rendered under each prefix through the test client. What
a person reads is gathered: text, and the attributes a browser shows or speaks (`title`,
`aria-label`, `placeholder`, `alt`, a button's `value`). Left out are what is not interface:
`<script>`, `<style>`, `<code>`, `<pre>`, and any element whose `lang` is not the page's (the
Arabic of the names, the switcher's language names, English shown as English because a name's
translation is missing). The rest must hold no English word of the interface: a word of the
English catalogue (every msgid) that neither the catalogue's translations nor the data the
page shows (the names, the person's own words) contain; "the", "your" and "session" are
English, "Aysekai" and "Ar-Raḥmān" are not.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from meditation.models import DivineName
from tests.browser import LONG_WORDS, VISITOR_PAGES, person_pages

pytestmark = [pytest.mark.django_db, pytest.mark.sweeps]

LANGUAGES = ("tr", "ar")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SKIPPED = {"script", "style", "code", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
WORD = re.compile(r"[^\W\d_]{3,}")  # whole words in any script: "Perşembe" is not "per"


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


class Reader(HTMLParser):
    """The text and shown attributes of a page, outside skipped and other-language subtrees."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)
        self.found: list[str] = []

    def hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        hidden = tag in SKIPPED or (lang is not None and lang != self.language)
        if not self.hidden() and not hidden:
            self.found += [values[a] or "" for a in SHOWN_ATTRIBUTES if a in values]
            if tag == "input" and values.get("type") in {"submit", "button"}:
                self.found.append(values.get("value") or "")
        if tag not in VOID and tag != "html":
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden() and data.strip():
            self.found.append(data)


@pytest.fixture(scope="module")
def english_words() -> set[str]:
    """The words of the interface that are only English."""
    root = Path(settings.BASE_DIR) / "locale"
    english: set[str] = set()
    translated: set[str] = set()
    for language in LANGUAGES:
        for domain in ("django", "djangojs"):
            for entry in polib.pofile(str(root / language / "LC_MESSAGES" / f"{domain}.po")):
                english |= words(
                    re.sub(r"%\(\w+\)s|<[^>]+>", " ", entry.msgid + " " + entry.msgid_plural)
                )
                forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
                for form in forms:
                    translated |= words(re.sub(r"%\(\w+\)s|<[^>]+>", " ", form))
    return english - translated


@pytest.fixture
def data_words(user) -> set[str]:
    """The words of what the pages show that is data, not interface: the names, the person's
    own words and address, the time zones' places, each language's name in its own words."""
    found = words(LONG_WORDS) | words(user.email)
    for name in DivineName.objects.all():
        found |= words(" ".join((name.transliteration, name.dhikr, name.pronunciation)))
    for zone in zoneinfo.available_timezones():
        found |= words(zone.replace("_", " "))
    return found | words(" ".join(name for _, name in settings.LANGUAGES))


def persons_words(user) -> set[str]:
    """What the person wrote (the factories' intentions and reflections, decrypted)."""
    entries = user.meditation_sessions.all()
    return words(" ".join(f"{e.intention} {e.reflection}" for e in entries))


def untranslated(body: str, language: str, english: set[str], data: set[str]) -> list[str]:
    days = [datetime.date(2001, m, d) for m in range(1, 13) for d in range(1, 8)]
    with translation.override(language):  # the months' and days' names are Django's, not ours
        data = data | words(" ".join(date_format(day, f) for day in days for f in "MDFl"))
    reader = Reader(language)
    reader.feed(body)
    return sorted({t.strip() for t in reader.found if (words(t) - data) & english})


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitors_pages_are_in_the_language(client, language, english_words, data_words):
    left = {}
    for path in VISITOR_PAGES:
        if path == "/api/":
            continue  # the API's page documents the machine's own words (its schema)
        response = client.get(f"/{language}{path}")
        assert response.status_code in (200, 404), path
        found = untranslated(response.content.decode(), language, english_words, data_words)
        left |= {f"/{language}{path}": found} if found else {}
    assert left == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_persons_pages_are_in_the_language(signed_in, user, language, english_words,
                                              data_words):  # fmt: skip
    with translation.override("en"):
        paths = person_pages(user)
    data_words = data_words | persons_words(user)
    left = {}
    for path in paths:
        response = signed_in.get(f"/{language}{path}")
        assert response.status_code == 200, path
        found = untranslated(response.content.decode(), language, english_words, data_words)
        left |= {f"/{language}{path}": found} if found else {}
    assert left == {}


def test_it_would_find_an_english_sentence(english_words, data_words):
    """The check itself: English text outside a lang="en" element is found, inside it is not."""
    body = ('<html lang="tr"><p>Bu sayfa</p><p>Your journal is empty</p><p lang="en">Your '
            'journal</p><button title="Save your settings">x</button></html>')  # fmt: skip
    found = untranslated(body, "tr", english_words, data_words)
    assert found == ["Save your settings", "Your journal is empty"]
