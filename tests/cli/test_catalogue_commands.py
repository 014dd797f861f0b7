"""`aysekai list-names`, `show`, `search` and `about`: the packaged catalogue, offline."""

import json

import pytest

from aysekai_cli import catalogue, display
from aysekai_cli.main import _search
from meditation.catalogue.search import search
from tests import ROOT
from tests.cli.helpers import numbers_in_table

FIXTURE_FIELDS = list(json.loads((ROOT / "fixtures/divine_names.json").read_text())["names"][0])


class TestListNames:
    def test_it_prints_the_99_in_a_table(self, cli):
        result = cli("list-names")
        assert result.exit_code == 0, result.output
        assert numbers_in_table(result.stdout) == list(range(1, 100))
        assert "Ar-Raḥmān" in result.stdout
        assert "The Most Compassionate" in result.stdout
        assert "Aṣ-Ṣabūr" in result.stdout

    def test_the_table_shows_the_arabic_shaped_for_a_terminal(self, cli):
        result = cli("list-names")
        first = catalogue.get(1)
        assert display.terminal_arabic(first.arabic) in result.stdout
        assert first.arabic not in result.stdout  # never the logical order on screen

    def test_json_gives_the_99_with_every_field_in_logical_text(self, cli):
        result = cli("list-names", "--json")
        assert result.exit_code == 0
        names = json.loads(result.stdout)
        assert len(names) == 99
        assert [n["number"] for n in names] == list(range(1, 100))
        assert all(list(n) == FIXTURE_FIELDS for n in names)
        fixture = json.loads((ROOT / "fixtures/divine_names.json").read_text())["names"]
        assert names == fixture  # the fixture exactly: the logical Arabic, the references
        assert names[0]["arabic"] == "الرَّحْمَٰنُ"


class TestShow:
    def test_it_shows_one_name_whole(self, cli):
        result = cli("show", "1")
        assert result.exit_code == 0, result.output
        name = catalogue.get(1)
        out = " ".join(result.stdout.split())  # the panel wraps lines
        for text in ("Ar-Raḥmān", "The Most Compassionate", "Description", "Taʾwīl", "Dhikr",
                     "Yā Raḥmān", "Qurʾān 55:1", name.verse_translation):  # fmt: skip
            assert text in out
        assert " ".join(name.tawil.split()[:8]) in out
        assert display.terminal_arabic(name.arabic) in result.stdout
        assert display.terminal_arabic(name.dhikr_arabic) in result.stdout

    @pytest.mark.parametrize(
        ("number", "message"),
        [
            ("0", "There is no name 0"),
            ("100", "There is no name 100"),
            ("abc", "“abc” is not a name number"),
            ("-1", "No such option: -1"),  # typer's usage error
            ("٣", "is not a name number"),
        ],
    )
    def test_a_bad_number_exits_2_with_a_message_on_stderr(self, cli, number, message):
        result = cli("show", number)
        assert result.exit_code == 2
        assert message in result.stderr
        assert result.stdout == ""

    def test_no_number_is_typers_usage_error(self, cli):
        result = cli("show")
        assert result.exit_code == 2
        assert "Missing argument" in result.stderr


class TestSearch:
    def test_rahmaan_finds_ar_rahman(self, cli):
        result = cli("search", "rahmaan")
        assert result.exit_code == 0
        assert numbers_in_table(result.stdout) == [1]
        assert "Ar-Raḥmān" in result.stdout

    def test_several_words_must_all_match(self, cli):
        result = cli("search", "most", "merciful")
        assert numbers_in_table(result.stdout) == [n.number for n in _search("most merciful")]
        assert 2 in numbers_in_table(result.stdout)

    def test_arabic_finds_names(self, cli):
        result = cli("search", "الرحمن")
        assert numbers_in_table(result.stdout)[0] == 1

    def test_no_match_is_a_message_and_exit_0(self, cli):
        result = cli("search", "xyzzy")
        assert result.exit_code == 0
        assert "No name matches “xyzzy”." in result.stdout

    def test_nothing_to_search_for_is_invalid_input(self, cli):
        result = cli("search", "'")
        assert result.exit_code == 1
        assert "nothing to search for" in result.stderr

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        "query", ["mercy", "rahmaan", "الله", "sabour", "يا رحمن", "light", "7", "the", "ʿ"]
    )
    def test_it_finds_what_the_site_finds(self, query):
        from meditation.catalogue.translations import with_translations
        from meditation.models import DivineName

        # The site searches the names with their words in every language (its views), and so
        # does the command: "الله" finds more names by their Arabic descriptions.
        names = with_translations(DivineName.objects.order_by("number"))
        site = [n.number for n in search(names, query)]
        assert [n.number for n in _search(query)] == site

    @pytest.mark.django_db
    def test_the_command_lists_the_sites_names_for_mercy_in_its_order(self, cli):
        from meditation.models import DivineName

        site = [n.number for n in search(DivineName.objects.order_by("number"), "mercy")]
        assert len(site) > 3
        assert numbers_in_table(cli("search", "mercy").stdout) == site


def test_the_command_reads_the_fixture_as_the_site_loads_it():
    from meditation.catalogue.fixture import read_fixture

    for site, name in zip(read_fixture(), catalogue.load(), strict=True):
        mine = name.as_json()
        assert {field: getattr(site, field) for field in mine} == mine


def test_about_says_what_this_is_and_the_licences(cli):
    result = cli("about")
    assert result.exit_code == 0
    out = " ".join(result.stdout.replace("│", " ").split())
    for text in ("99 Beautiful Names", "quran-json", "CC BY-SA 4.0", "Saheeh International",
                 "written for this project", "aysekai push"):  # fmt: skip
        assert text in out


def test_help_lists_the_exit_codes(cli):
    result = cli("--help")
    assert result.exit_code == 0
    codes = ("0: done", "1: invalid input", "2: bad name number", "3: configuration",
             "4: refused by the site", "5: the site unreachable", "99: unexpected")  # fmt: skip
    for code in codes:
        assert code in result.stdout
    meditate_help = cli("meditate", "--help").stdout
    assert "0: done, or ended with Ctrl-C" in meditate_help
    assert "130: push interrupted with Ctrl-C" in meditate_help


class TestADamagedCatalogue:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot be read"),
            ("{not json", "is not valid JSON"),
            ('{"schema": 2, "names": []}', "is damaged: not a catalogue of schema 1"),
            ('{"schema": 1}', "is damaged"),
            ('{"schema": 1, "names": [1]}', "is damaged: a name is not an object"),
            ('{"schema": 1, "names": [{"number": "1"}]}', "number is not a whole number"),
            ('{"schema": 1, "names": [{"number": 1, "arabic": 5}]}', "arabic of a name is not"),
            ('{"schema": 1, "names": [{"number": 1}]}', "does not hold the names 1 to 99"),
        ],
    )  # fmt: skip
    def test_it_is_a_configuration_problem_saying_what(self, tmp_path, content, message):
        from aysekai_cli.errors import ConfigurationError

        path = tmp_path / "names.json"
        if content is not None:
            path.write_text(content)
        with pytest.raises(ConfigurationError, match=message):
            catalogue.load.__wrapped__(path)

    def test_the_command_exits_3(self, cli, monkeypatch, tmp_path):
        from aysekai_cli.errors import ConfigurationError

        def missing():
            raise ConfigurationError("The catalogue x cannot be read.")

        monkeypatch.setattr(catalogue, "load", missing)
        result = cli("list-names")
        assert result.exit_code == 3
        assert "The catalogue x cannot be read." in result.stderr
