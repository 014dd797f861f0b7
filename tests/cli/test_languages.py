"""`aysekai --lang tr|ar|en`: the names' words in Turkish or Arabic from their fixtures, English
where a field is empty, no verse translation in Arabic, the labels around a name in that
language; the search in every language whatever is shown; a bad language fixture exits 3."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aysekai_cli import catalogue, display, languages
from aysekai_cli.main import _search
from tests import ROOT
from tests.cli.helpers import log_rows, numbers_in_table

FIXTURES = ROOT / "fixtures"
ENGLISH = json.loads((FIXTURES / "divine_names.json").read_text())["names"]
TR = {n["number"]: n for n in json.loads((FIXTURES / "divine_names.tr.json").read_text())["names"]}
AR = {n["number"]: n for n in json.loads((FIXTURES / "divine_names.ar.json").read_text())["names"]}
MERHAMETLI = "Çok merhametli, bütün varlıkları esirgeyen"
SCRIPT = Path(sys.executable).parent / "aysekai"
PANEL_TEXT = 116  # the panel's text at the runner's 120 columns (borders and padding)


def flat(output):
    """The output without the panel's borders, its lines joined (the panel wraps them)."""
    return " ".join(output.replace("│", " ").split())


@pytest.fixture
def fixtures(tmp_path, monkeypatch):
    """A copy of the language fixtures that the command reads: `edit(language, number,
    **fields)` changes a name in it, `write(language, text)` replaces the file."""
    folder = tmp_path / "fixtures"
    folder.mkdir()
    for language in ("tr", "ar"):
        shutil.copy(FIXTURES / f"divine_names.{language}.json", folder)
    monkeypatch.setattr(catalogue, "FIXTURES", folder)

    class Fixtures:
        path = folder

        @staticmethod
        def edit(language, number, **fields):
            path = folder / f"divine_names.{language}.json"
            data = json.loads(path.read_text())
            [entry] = [n for n in data["names"] if n["number"] == number]
            entry.update(fields)
            path.write_text(json.dumps(data, ensure_ascii=False))

        @staticmethod
        def write(language, text):
            path = folder / f"divine_names.{language}.json"
            if text is None:
                path.unlink()
            else:
                path.write_text(text)

    return Fixtures


class TestTurkish:
    def test_list_names_shows_the_turkish_meanings_under_turkish_headings(self, cli):
        result = cli("--lang", "tr", "list-names")
        assert result.exit_code == 0, result.output
        assert numbers_in_table(result.stdout) == list(range(1, 100))
        assert MERHAMETLI in result.stdout
        assert "The Most Compassionate" not in result.stdout
        for label in ("99 Güzel İsim", "Arapça", "Anlam"):
            assert label in result.stdout
        assert "Ar-Raḥmān" in result.stdout  # the transliteration is the name's own
        assert display.terminal_arabic(catalogue.get(1).arabic) in result.stdout

    def test_show_gives_every_field_in_turkish(self, cli):
        result = cli("--lang", "tr", "show", "1")
        assert result.exit_code == 0, result.output
        out = flat(result.stdout)
        assert MERHAMETLI in out
        for field in ("description", "tawil", "dhikr", "verse_translation"):
            assert " ".join(TR[1][field].split()) in out, field
        for label in ("Açıklama", "Tevil", "Zikir", "Kur'an 55:1", "Okunuş:"):
            assert label in out
        english = catalogue.get(1)
        for text in (english.meaning, english.verse_translation, "Description", "Taʾwīl"):
            assert text not in out
        assert "(İngilizce)" not in out  # nothing shown in English
        assert display.terminal_arabic(english.dhikr_arabic) in result.stdout

    def test_a_sitting_shows_the_name_in_turkish_and_logs_it_as_ever(self, cli, log_dir):
        result = cli("--lang", "tr", "meditate", "-n", "1", "--log-dir", log_dir,
                     input="niyet\nbir düşünce\n")  # fmt: skip
        assert result.exit_code == 0, result.output
        out = flat(result.stdout)
        for text in (MERHAMETLI, "1 · bu oturum için isminiz", "Zikir", "Yâ Rahmân"):
            assert text in out
        assert TR[1]["verse_translation"] in out
        _, [row] = log_rows(log_dir)
        assert row[2:5] == ["niyet", "1", "Ar-Raḥmān"]
        assert row[6] == "bir düşünce"


class TestArabic:
    def test_list_names_shows_the_arabic_meanings_shaped(self, cli):
        result = cli("--lang", "ar", "list-names")
        assert result.exit_code == 0, result.output
        assert numbers_in_table(result.stdout) == list(range(1, 100))
        assert display.terminal_arabic(AR[1]["meaning"]) in result.stdout
        assert AR[1]["meaning"] not in result.stdout  # never the logical order on screen
        assert display.terminal_arabic("المعنى") in result.stdout
        assert "The Most Compassionate" not in result.stdout

    def test_show_gives_the_arabic_words_and_no_verse_translation(self, cli):
        result = cli("--lang", "ar", "show", "1")
        assert result.exit_code == 0, result.output
        english = catalogue.get(1)
        assert display.terminal_arabic(AR[1]["meaning"]) in result.stdout
        # The description wrapped in logical order, each line shaped.
        for line in textwrap.wrap(AR[1]["description"], PANEL_TEXT):
            assert display.terminal_arabic(line) in result.stdout
        assert english.verse_translation not in flat(result.stdout)
        assert TR[1]["verse_translation"] not in flat(result.stdout)
        assert display.terminal_arabic(english.verse_arabic) in result.stdout  # the verse itself
        # The commentary is not translated: in English, and its heading says so.
        assert " ".join(english.tawil.split()[:8]) in flat(result.stdout)
        assert display.terminal_arabic("التأويل (بالإنجليزية)") in result.stdout
        # The dhikr is the Arabic dhikr: once.
        assert result.stdout.count(display.terminal_arabic(english.dhikr_arabic)) == 1

    def test_the_brackets_of_arabic_are_mirrored_for_a_terminal(self):
        shown = display.terminal_arabic("الرحمن (ومن الجذر)")
        # Right to left, the opening bracket comes after الرحمن: on screen it is drawn at
        # the left of the parenthesis' words, facing them: "(" … ")" then the first word.
        assert shown.startswith("(")
        assert shown.index(")") < shown.index(display.terminal_arabic("الرحمن"))

    def test_a_narrow_table_wraps_the_arabic_meaning_from_its_first_words(self, cli):
        result = cli("--lang", "ar", "list-names", env={"COLUMNS": "64"})
        assert result.exit_code == 0, result.output
        words = AR[1]["meaning"].split()
        lines = result.stdout.splitlines()
        first = next(i for i, line in enumerate(lines) if display.terminal_arabic(words[0]) in line)
        last = next(i for i, line in enumerate(lines) if display.terminal_arabic(words[-1]) in line)
        assert first < last  # the first line on screen holds the first words

    def test_json_keeps_the_logical_text_and_has_no_verse_translation(self, cli):
        [entry] = [n for n in json.loads(cli("--lang", "ar", "list-names", "--json").stdout)
                   if n["number"] == 1]  # fmt: skip
        assert entry["meaning"] == AR[1]["meaning"]
        assert entry["verse_translation"] == ""
        assert entry["tawil"] == catalogue.get(1).tawil  # English where not translated
        assert entry["language"] == "ar"


class TestFallback:
    def test_a_blank_field_is_shown_in_english_and_said_to_be(self, cli, fixtures):
        fixtures.edit("tr", 1, meaning="", description="")
        english = catalogue.get(1)
        result = cli("--lang", "tr", "show", "1")
        assert result.exit_code == 0, result.output
        out = flat(result.stdout)
        assert english.meaning in out
        assert " ".join(english.description.split()) in out
        assert "Açıklama (İngilizce)" in out
        assert " ".join(TR[1]["tawil"].split()) in out  # the others stay Turkish
        assert "Tevil (İngilizce)" not in out
        listed = cli("--lang", "tr", "list-names").stdout
        assert english.meaning in listed
        assert TR[2]["meaning"] in listed

    def test_json_gives_the_english_of_a_blank_field(self, cli, fixtures):
        fixtures.edit("ar", 1, meaning="")
        shown = json.loads(cli("--lang", "ar", "show", "1", "--json").stdout)
        assert shown["meaning"] == catalogue.get(1).meaning
        assert shown["description"] == AR[1]["description"]

    def test_a_name_the_fixture_lacks_is_in_english(self, cli, fixtures):
        data = json.loads((fixtures.path / "divine_names.tr.json").read_text())
        data["names"] = [n for n in data["names"] if n["number"] != 2]
        fixtures.write("tr", json.dumps(data))
        shown = json.loads(cli("--lang", "tr", "show", "2", "--json").stdout)
        assert shown["meaning"] == catalogue.get(2).meaning
        assert shown["language"] == "tr"


class TestChoosingTheLanguage:
    def test_english_is_the_default_and_byte_for_byte_as_without_lang(self, cli):
        for args in (["list-names"], ["list-names", "--json"], ["show", "1"], ["search", "mercy"]):
            assert cli("--lang", "en", *args).stdout == cli(*args).stdout
        assert "language" not in json.loads(cli("show", "1", "--json").stdout)

    def test_aysekai_lang_chooses_it(self, cli, monkeypatch):
        monkeypatch.setenv("AYSEKAI_LANG", "tr")
        assert MERHAMETLI in cli("list-names").stdout
        assert json.loads(cli("show", "1", "--json").stdout)["language"] == "tr"

    @pytest.mark.parametrize(("option", "shown"), [("en", "The Most Compassionate"),
                                                   ("ar", "ذو الرحمة")])  # fmt: skip
    def test_lang_wins_over_aysekai_lang(self, cli, monkeypatch, option, shown):
        monkeypatch.setenv("AYSEKAI_LANG", "tr")
        entry = json.loads(cli("--lang", option, "show", "1", "--json").stdout)
        assert entry["meaning"].startswith(shown)
        assert entry.get("language", "en") == option

    def test_case_and_spaces_do_not_matter(self, cli, monkeypatch):
        monkeypatch.setenv("AYSEKAI_LANG", " TR ")
        assert MERHAMETLI in cli("show", "1").stdout
        assert MERHAMETLI in cli("--lang", "Tr", "show", "1").stdout

    def test_an_empty_aysekai_lang_is_english(self, cli, monkeypatch):
        monkeypatch.setenv("AYSEKAI_LANG", "")
        assert "The Most Compassionate" in cli("show", "1").stdout

    def test_another_language_is_a_usage_error(self, cli):
        result = cli("--lang", "de", "show", "1")
        assert result.exit_code == 2
        assert "Invalid value for '--lang'" in flat(result.stderr)
        assert "“de” is not a language of the command: give one of en, tr, ar." in flat(
            result.stderr
        )
        assert result.stdout == ""

    def test_another_language_in_aysekai_lang_is_a_usage_error_too(self, cli, monkeypatch):
        monkeypatch.setenv("AYSEKAI_LANG", "de")
        result = cli("list-names")
        assert result.exit_code == 2
        assert "AYSEKAI_LANG" in result.stderr
        assert "“de” is not a language" in flat(result.stderr)

    def test_help_says_the_rest_stays_english(self, cli):
        out = flat(cli("--help").stdout)
        assert "--lang" in out
        assert "en, tr or ar" in out
        assert "other messages and this help stay in English" in out
        assert "AYSEKAI_LANG" in out

    @pytest.mark.parametrize("language", ["tr", "ar"])
    def test_about_credits_the_languages_sources(self, cli, language):
        out = flat(cli("--lang", language, "about").stdout)
        assert f"In {languages.NAMES[language]}: " in out
        if language == "tr":
            assert "Diyanet" in out
        assert "In Turkish" not in flat(cli("about").stdout)


class TestJson:
    @pytest.mark.parametrize("language", ["tr", "ar"])
    def test_every_command_says_its_language(self, cli, language):
        listed = json.loads(cli("--lang", language, "list-names", "--json").stdout)
        shown = json.loads(cli("--lang", language, "show", "1", "--json").stdout)
        found = json.loads(cli("--lang", language, "search", "merhametli", "--json").stdout)
        fields = [*ENGLISH[0], "language"]
        for entry in (*listed, shown, *found):
            assert list(entry) == fields
            assert entry["language"] == language
        assert shown == listed[0]
        assert shown["meaning"] == {"tr": TR, "ar": AR}[language][1]["meaning"]
        assert shown["arabic"] == ENGLISH[0]["arabic"]  # the name's own fields as they are

    def test_english_show_and_search_give_the_fixtures_fields(self, cli):
        assert json.loads(cli("show", "7", "--json").stdout) == ENGLISH[6]
        found = json.loads(cli("search", "rahmaan", "--json").stdout)
        assert found == [ENGLISH[0]]
        assert json.loads(cli("search", "xyzzy", "--json").stdout) == []


class TestSearch:
    @pytest.mark.parametrize("lang", [[], ["--lang", "en"], ["--lang", "tr"], ["--lang", "ar"]])
    def test_merhametli_finds_ar_rahman_whatever_is_shown(self, cli, lang):
        result = cli(*lang, "search", "merhametli")
        assert result.exit_code == 0, result.output
        assert numbers_in_table(result.stdout)[0] == 1
        found = json.loads(cli(*lang, "search", "merhametli", "--json").stdout)
        assert found[0]["number"] == 1

    @pytest.mark.parametrize("lang", [[], ["--lang", "tr"]])
    def test_an_arabic_meaning_finds_its_name(self, cli, lang):
        assert AR[34]["meaning"] == "واسع المغفرة"
        assert 34 in numbers_in_table(cli(*lang, "search", "المغفرة").stdout)

    def test_the_results_are_shown_in_the_language(self, cli):
        result = cli("--lang", "tr", "search", "mercy")
        assert TR[1]["meaning"] in result.stdout
        assert "The Most Compassionate" not in result.stdout
        assert "for “mercy”" in result.stdout  # the command's own words stay English

    @pytest.mark.django_db
    @pytest.mark.parametrize("query", ["merhametli", "esirgeyen", "tövbe", "المغفرة", "الله"])
    def test_it_finds_what_the_site_finds_in_every_language(self, query):
        from meditation.catalogue.search import search
        from meditation.catalogue.translations import with_translations
        from meditation.models import DivineName

        names = with_translations(DivineName.objects.order_by("number"))
        assert [n.number for n in _search(query)] == [n.number for n in search(names, query)]


class TestABadLanguageFixture:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "The Turkish catalogue .* cannot be read"),
            ("{not json", "is not valid JSON"),
            ('{"schema": 2, "language": "tr", "names": []}', "not a catalogue of schema 1"),
            ('{"schema": 1, "language": "ar", "names": []}', "its language is 'ar', not 'tr'"),
            ('{"schema": 1, "language": "tr"}', "is damaged"),
            ('{"schema": 1, "language": "tr", "names": {}}', "its names are not a list"),
            ('{"schema": 1, "language": "tr", "names": [1]}', "a name is not an object"),
            ('{"schema": 1, "language": "tr", "names": [{"number": "1"}]}', "not a whole number"),
            ('{"schema": 1, "language": "tr", "names": [{"number": 100}]}', "there is no name 100"),
            ('{"schema": 1, "language": "tr", "names": [{"number": 1, "meaning": 5}]}',
             "meaning of name 1 is not text"),
            ('{"schema": 1, "language": "tr", "names": [{"number": 1}, {"number": 1}]}',
             "name 1 is there twice"),
            ('{"schema": 1, "language": "tr", "sources": [], "names": []}', "sources are not"),
        ],
    )  # fmt: skip
    def test_it_is_a_configuration_problem_saying_what(self, fixtures, content, message):
        from aysekai_cli.errors import ConfigurationError

        fixtures.write("tr", content)
        with pytest.raises(ConfigurationError, match=message):
            catalogue.translations("tr")

    @pytest.mark.parametrize(
        "args",
        [["--lang", "tr", "list-names"], ["--lang", "tr", "show", "1"], ["search", "mercy"],
         ["--lang", "ar", "search", "mercy", "--json"], ["--lang", "tr", "about"]],
    )  # fmt: skip
    def test_the_command_exits_3_with_a_message(self, cli, fixtures, args):
        fixtures.write("tr", "{not json")
        result = cli(*args)
        assert result.exit_code == 3
        assert "The Turkish catalogue" in result.stderr
        assert "is not valid JSON" in result.stderr
        assert result.stdout == ""

    def test_a_sitting_refuses_before_asking(self, cli, fixtures, log_dir):
        fixtures.write("ar", None)
        result = cli("--lang", "ar", "meditate", "-n", "1", "--log-dir", log_dir, input="x\n")
        assert result.exit_code == 3
        assert "The Arabic catalogue" in result.stderr
        assert "Your intention" not in result.stdout
        assert not log_dir.exists()

    def test_english_without_search_does_not_need_them(self, cli, fixtures):
        fixtures.write("tr", None)
        fixtures.write("ar", None)
        assert cli("list-names").exit_code == 0
        assert cli("show", "1").exit_code == 0
        assert cli("--lang", "ar", "show", "1").exit_code == 3


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is installed by make setup")
def test_the_console_script_shows_a_name_in_turkish(tmp_path):
    """`.venv/bin/aysekai --lang tr show 1` in a real process, without Django's settings."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
    result = subprocess.run(
        [str(SCRIPT), "--lang", "tr", "show", "1"], capture_output=True, text=True, cwd=tmp_path,
        env={**keep, "HOME": str(tmp_path / "home"), "AYSEKAI_HOME": str(tmp_path / "aysekai"),
             "DJANGO_SETTINGS_MODULE": "no_such_settings_module", "COLUMNS": "120"},
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = flat(result.stdout)
    assert MERHAMETLI in out
    assert "Yâ Rahmân" in out
    assert TR[1]["verse_translation"] in out
