"""The translations (locale/*/LC_MESSAGES/django.po, issue 17, and djangojs.po, the scripts'
strings that /jsi18n/ serves): complete, clean and in step with the code.

- `make messages` (makemessages, both domains, run as the Makefile's recipe runs it) finds
  exactly the strings the .po files hold: none new to translate, none left over.
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
# The pages' strings (templates and Python) and the scripts' (static/js).
DOMAINS = ["django", "djangojs"]
CATALOGUES = [pytest.param(d, c, id=f"{c}-{d}") for d in DOMAINS for c in LANGUAGES]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")


def catalogue(domain: str, code: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / f"{domain}.po"))


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def messages_recipe() -> list[list[str]]:
    """The makemessages commands of the Makefile's `messages` target, its variables expanded."""
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_0-9]+) := (.*)$", makefile, re.M))

    variables["PY"] = sys.executable  # this interpreter, the virtualenv's

    def expand(text: str) -> str:
        def value(match: re.Match) -> str:
            return expand(variables[match[1]]) if match[1] in variables else match[0]

        return re.sub(r"\$\(([A-Z_0-9]+)\)", value, text)

    recipe = re.search(r"^messages:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    commands = [expand(line.strip()).split() for line in recipe.splitlines()]
    return [c for c in commands if c[1:3] == ["manage.py", "makemessages"]]


@pytest.fixture(scope="module")
def gathered(tmp_path_factory) -> dict[tuple[str, str], set[tuple[str | None, str]]]:
    """The strings makemessages gathers from the code today, run in a copy of the project (as
    `make messages` runs it, with the Makefile's own commands), by (domain, language)."""
    copy = tmp_path_factory.mktemp("messages")
    parts = ("manage.py", "aysekai_site", "accounts", "meditation", "templates", "static", "locale")
    for part in parts:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / part)
    commands = messages_recipe()
    assert {next((a.split("=")[1] for a in c if a.startswith("--domain=")), "django")
            for c in commands} == set(DOMAINS)  # fmt: skip
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy),
                   "DJANGO_SETTINGS_MODULE": "aysekai_site.test_settings"}  # fmt: skip
    for command in commands:
        subprocess.run(command, cwd=copy, check=True, capture_output=True, timeout=120,
                       env=environment)  # fmt: skip
    found = {}
    for domain in DOMAINS:
        for code in LANGUAGES:
            po = polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / f"{domain}.po"))
            found[domain, code] = {key(e) for e in po if not e.obsolete}
    return found


@pytest.mark.parametrize(("domain", "code"), CATALOGUES)
def test_makemessages_finds_nothing_new_and_nothing_left_over(gathered, domain, code):
    held = {key(e) for e in catalogue(domain, code) if not e.obsolete}
    found = gathered[domain, code]
    assert found - held == set(), "new strings: run `make messages` and translate them"
    assert held - found == set(), "strings no longer in the code: run `make messages`"
    assert [e.msgid for e in catalogue(domain, code) if e.obsolete] == []


@pytest.mark.parametrize(("domain", "code"), CATALOGUES)
def test_every_string_is_translated_and_none_is_fuzzy(domain, code):
    po = catalogue(domain, code)
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.metadata["Language"] == code
    assert "fuzzy" not in po.metadata_as_entry().flags


@pytest.mark.parametrize(("domain", "code"), CATALOGUES)
def test_a_translation_keeps_its_placeholders_and_markup(domain, code):
    for entry in catalogue(domain, code).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        tags = sorted(TAG.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in forms:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may say its number in words ("يومان", two days) instead.
            assert found <= wanted if entry.msgid_plural else found == wanted, (entry.msgid, text)
            assert sorted(TAG.findall(text)) == tags, (entry.msgid, text)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogues_are_those_of_the_po_files(domain):
    """`make setup` compiled them (compilemessages): each .mo is newer than its .po."""
    for code in LANGUAGES:
        po = ROOT / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make setup`"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older: run `make setup`"
