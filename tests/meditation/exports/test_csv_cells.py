"""The CSV export writes its rows itself (meditation/exports/writers.py): every cell must come
out exactly as csv.writer writes it, whatever the text, so any CSV reader reads it back."""

import csv
import io
import random

import pytest

from meditation.exports.writers import _csv_cell, _csv_text
from meditation.text import neutralise_formula

HOSTILE = [
    "", " ", "plain", "a,b", 'say "hi"', '"', '""', ",", "line\nbreak", "cr\ronly", "crlf\r\n",
    "\n", "trailing space ", " leading", "tab\tinside", "semi;colon", "'quote'", "back\\slash",
    "=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", "Ṣabr — صبر, \"quoted\"", "\u2028\u2029",
    "\x00nul", "\x1f", "emoji 🕊️", "#", "a\"b,c\nd",
]  # fmt: skip


def as_csv_writes(*cells: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_is_what_csv_writer_writes(text):
    # Between two other cells, as in a row: alone, csv.writer quotes an empty row's one cell.
    assert f"x,{_csv_cell(text)},y\r\n" == as_csv_writes("x", text, "y")


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_is_neutralised_then_quoted_and_reads_back(text):
    line = f"x,{_csv_text(text)},y\r\n"
    assert line == as_csv_writes("x", neutralise_formula(text), "y")
    assert next(csv.reader(io.StringIO(line, newline=""))) == ["x", neutralise_formula(text), "y"]


def test_random_text_of_the_characters_that_matter_is_written_as_csv_writer_writes_it():
    pick = random.Random(7).choice  # noqa: S311 (test text, not a secret)
    for _ in range(2000):
        text = "".join(pick(',"\r\n =+-@\ta é صبر') for _ in range(pick(range(12))))
        assert f"x,{_csv_cell(text)},y\r\n" == as_csv_writes("x", text, "y")
