"""Loading the fixture and the legacy CSV round trip, through the management commands."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from meditation.catalogue.fixture import fixture_entry
from meditation.catalogue.legacy_csv import LEGACY_COLUMNS
from meditation.models import DivineName

pytestmark = pytest.mark.django_db


def snapshot():
    return [fixture_entry(n) for n in DivineName.objects.order_by("number")]


def export_text() -> str:
    out = io.StringIO()
    call_command("export_names_csv", stdout=out)
    return out.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_text(data: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LEGACY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    return buffer.getvalue()


def write(tmp_path, text: str, name="names.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_it_loads_the_names_idempotently():
    before = snapshot()
    out = io.StringIO()
    call_command("load_names", stdout=out)
    assert "0 added, 99 already present" in out.getvalue()
    assert snapshot() == before


def test_it_adds_missing_names_without_overwriting_curated_ones():
    DivineName.objects.filter(number__in=[5, 6]).delete()
    DivineName.objects.filter(number=1).update(meaning="Curated meaning")
    out = io.StringIO()
    call_command("load_names", stdout=out)
    assert "2 added, 97 already present" in out.getvalue()
    assert DivineName.objects.count() == 99
    assert DivineName.objects.get(number=1).meaning == "Curated meaning"
    assert DivineName.objects.get(number=5).transliteration == "As-Salām"


def test_it_exports_the_legacy_columns():
    text = export_text()
    assert text.splitlines()[0] == ",".join(LEGACY_COLUMNS)
    data = rows(text)
    assert len(data) == 99
    first = data[0]
    assert first["Name"] == "Ar-Raḥmān (الرَّحْمَٰنُ)"
    assert first["Number"] == "1"
    assert first["Reference"].startswith("55:1; 1:3")
    assert first["Verse"].split("\n")[1] == DivineName.objects.get(number=1).verse_translation
    assert first["Dhikr"] == "Yā Raḥmān"


def test_it_exports_to_a_file(tmp_path):
    target = tmp_path / "out.csv"
    err = io.StringIO()
    call_command("export_names_csv", str(target), stderr=err)
    assert "Wrote 99 names" in err.getvalue()
    assert target.read_text(encoding="utf-8") == export_text()
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_it_round_trips_the_csv_onto_the_same_names(tmp_path):
    before = snapshot()
    path = write(tmp_path, export_text())
    out = io.StringIO()
    call_command("import_names_csv", str(path), stdout=out)
    assert "0 created, 0 updated, 99 unchanged" in out.getvalue()
    assert snapshot() == before


def test_it_round_trips_the_csv_into_an_empty_catalogue(tmp_path):
    before = snapshot()
    path = write(tmp_path, export_text())
    DivineName.objects.all().delete()
    out = io.StringIO()
    call_command("import_names_csv", str(path), stdout=out)
    assert "99 created" in out.getvalue()
    after = snapshot()
    # The legacy format has no description, Arabic dhikr or slug: the rest comes back as it was.
    for old, new in zip(before, after, strict=True):
        assert {**old, "description": "", "dhikr_arabic": "", "slug": ""} == {**new, "slug": ""}
    assert len({name["slug"] for name in after}) == 99


def test_it_updates_only_what_changed(tmp_path):
    data = rows(export_text())
    data[2]["Meaning"] = "The King of all"
    out = io.StringIO()
    call_command("import_names_csv", str(write(tmp_path, csv_text(data[:5]))), stdout=out)
    assert "0 created, 1 updated, 4 unchanged" in out.getvalue()
    assert DivineName.objects.get(number=3).meaning == "The King of all"


def test_it_neutralises_formula_cells_and_restores_them_on_import(tmp_path):
    DivineName.objects.filter(number=4).update(meaning="=HYPERLINK(1)", tawil="-minus")
    text = export_text()
    assert rows(text)[3]["Meaning"] == "'=HYPERLINK(1)"
    assert rows(text)[3]["Tawil"] == "'-minus"
    call_command("import_names_csv", str(write(tmp_path, text)), stdout=io.StringIO())
    name = DivineName.objects.get(number=4)
    assert (name.meaning, name.tawil) == ("=HYPERLINK(1)", "-minus")


def test_it_accepts_a_utf8_bom_and_crlf_line_endings(tmp_path):
    text = "\ufeff" + export_text().replace("\n", "\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(text.encode("utf-8"))
    call_command("import_names_csv", str(path), stdout=io.StringIO())
    assert DivineName.objects.get(number=1).verse_translation


def replace_cell(number: int, column: str, value: str) -> str:
    data = rows(export_text())
    data[number - 1][column] = value
    return csv_text(data)


@pytest.mark.parametrize(
    ("number", "column", "value", "message"),
    [
        (7, "Number", "seven", "row 8, column Number: “seven” is not a whole number"),
        (7, "Number", "100", "row 8, column Number: 100 is outside 1–99"),
        (7, "Number", "5", "row 8, column Number: 5 already appears on row 6"),
        (10, "Meaning", "", "row 11, column Meaning"),
        (10, "Meaning", "x" * 10_000, "row 11, column Meaning"),
        (12, "Name", "Al-Bari (Al-Bari)", "row 13, column Name: arabic: Must be written in Arabic"),
        (20, "Reference", "2:300", "row 21, column Reference: Surah 2 has 286 verses"),
        (20, "Reference", "two:one", "row 21, column Reference"),
        (30, "Verse", "not arabic\ntranslation", "row 31, column Verse"),
        (40, "Tawil", "bad\x00byte", "row 41, column Tawil: contains control characters"),
        (50, "Dhikr", "x" * 201, "row 51, column Dhikr"),
    ],
)
def test_it_rejects_a_malformed_file_naming_row_and_column_and_changes_nothing(
    tmp_path, number, column, value, message
):
    DivineName.objects.filter(number=2).update(meaning="Changed before import")
    before = snapshot()
    path = write(tmp_path, replace_cell(number, column, value))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_names_csv", str(path), stdout=io.StringIO())
    assert message in str(excinfo.value)
    assert "nothing changed" in str(excinfo.value)
    assert snapshot() == before


def test_it_reports_every_bad_row_at_once(tmp_path):
    data = rows(replace_cell(3, "Meaning", ""))
    data[5]["Number"] = "x"
    with pytest.raises(CommandError) as excinfo:
        call_command("import_names_csv", str(write(tmp_path, csv_text(data))))
    assert "row 4, column Meaning" in str(excinfo.value)
    assert "row 7, column Number" in str(excinfo.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"Name,Number\nAr-Rahman,1\n", "column Meaning: this column is missing"),
        (",".join(LEGACY_COLUMNS).encode() + b"\n", "has a header but no rows"),
        (b"\xff\xfe\x00N", "not UTF-8"),
        (",".join(LEGACY_COLUMNS).encode() + b"\na,1\n", "row 2, column -: expected 9 cells"),
    ],
)
def test_it_rejects_files_that_are_not_a_names_csv(tmp_path, content, message):
    before = snapshot()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_names_csv", str(path))
    assert snapshot() == before


def test_it_needs_the_arabic_for_a_new_name(tmp_path):
    data = rows(export_text())[:1]
    data[0]["Name"] = "Ar-Raḥmān"
    DivineName.objects.filter(number=1).delete()
    with pytest.raises(CommandError, match="needs its Arabic in parentheses"):
        call_command("import_names_csv", str(write(tmp_path, csv_text(data))))


def test_it_keeps_the_arabic_of_an_existing_name_given_only_its_transliteration(tmp_path):
    path = write(tmp_path, replace_cell(1, "Name", "Ar-Rahman"))
    call_command("import_names_csv", str(path), stdout=io.StringIO())
    name = DivineName.objects.get(number=1)
    assert (name.transliteration, name.arabic) == ("Ar-Rahman", "الرَّحْمَٰنُ")


def test_it_reports_an_unreadable_path(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_names_csv", str(tmp_path / "missing.csv"))
