"""The translations (locale/*/LC_MESSAGES/django.po, issue 17): complete, clean and in step
with the code.

- `make messages` (makemessages) run afresh finds exactly the strings the .po files hold: none
  new to translate, none left over.
- Every string is translated, none fuzzy, and a translation keeps its original's placeholders
  and markup.
- What `make setup` compiled is what the pages use (tests/site/test_languages.py renders them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")


def catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


@pytest.fixture(scope="module")
def gathered(tmp_path_factory) -> dict[str, set[tuple[str | None, str]]]:
    """The strings makemessages gathers from the code today, run in a copy of the project (as
    `make messages` runs it, with the Makefile's own flags)."""
    copy = tmp_path_factory.mktemp("messages")
    for part in ("manage.py", "aysekai_site", "accounts", "meditation", "templates", "locale"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / part)
    makefile = (ROOT / "Makefile").read_text()
    ignore = re.search(r"^I18N_IGNORE := (.*)$", makefile, re.M).group(1).split()
    more = re.search(r"^MESSAGES_IGNORE := \$\(I18N_IGNORE\) (.*)$", makefile, re.M)
    command = [sys.executable, "manage.py", "makemessages", "--no-location", *ignore,
               *more.group(1).split(), *(f"--locale={code}" for code in LANGUAGES)]  # fmt: skip
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy),
                   "DJANGO_SETTINGS_MODULE": "aysekai_site.test_settings"}  # fmt: skip
    subprocess.run(command, cwd=copy, check=True, capture_output=True, timeout=120,
                   env=environment)  # fmt: skip
    found = {}
    for code in LANGUAGES:
        po = polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po"))
        found[code] = {key(e) for e in po if not e.obsolete}
    return found


@pytest.mark.parametrize("code", LANGUAGES)
def test_makemessages_finds_nothing_new_and_nothing_left_over(gathered, code):
    held = {key(e) for e in catalogue(code) if not e.obsolete}
    assert gathered[code] - held == set(), "new strings: run `make messages` and translate them"
    assert held - gathered[code] == set(), "strings no longer in the code: run `make messages`"
    assert [e.msgid for e in catalogue(code) if e.obsolete] == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(code):
    po = catalogue(code)
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.metadata["Language"] == code
    assert "fuzzy" not in po.metadata_as_entry().flags


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_translation_keeps_its_placeholders_and_markup(code):
    for entry in catalogue(code).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        tags = sorted(TAG.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in forms:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may say its number in words ("يومان", two days) instead.
            assert found <= wanted if entry.msgid_plural else found == wanted, (entry.msgid, text)
            assert sorted(TAG.findall(text)) == tags, (entry.msgid, text)


def test_the_compiled_catalogues_are_those_of_the_po_files():
    """`make setup` compiled them (compilemessages): each .mo is newer than its .po."""
    for code in LANGUAGES:
        po = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make setup`"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older: run `make setup`"
