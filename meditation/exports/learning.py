"""A person's learning of the names (issue 15) for the JSON export: the `learning` object, with
their preferences, their cards and every review, read and written a chunk at a time.

- **Whole, whatever the date range.** The export's dates choose sessions; a card's state is
  where the person stands now, not something that happened on a date, and the reviews are the
  history that state came from: a range would cut the two apart. So the range never applies.
- **JSON only** (and the ZIP, whose `journal.json` holds it and whose `learning.json` is the
  same object alone). The CSV is the old tool's log format, which it must still read, and the
  Markdown is the journal to read: both keep the sessions only.
- **Read once, never written.** One query per table, whatever the number of rows: `values_list`
  rows, each name's number and transliteration from the export's dict of the 99, `.iterator()`
  so that tens of thousands of reviews are never one list. Nothing is written to the database
  meanwhile (the sessions' progress is reported before, the reviews are not counted as rows),
  so the open read is no SQLite lock problem; a person without preferences gets the model's
  defaults, and no row.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..models import ExportJob, LearningCard, LearningPreferences, LearningReview, Rating
from .journal import Name, UTCText

CHUNK_SIZE = 500
MEMBER = "learning.json"  # in a ZIP: the JSON's learning object alone
# LearningCard.state is fsrs.State's value (models.py): 1 learning, 2 review, 3 relearning.
STATES = {1: "learning", 2: "review", 3: "relearning"}
RATINGS = {int(rating): rating.name.lower() for rating in Rating}  # 1 "again" ... 4 "easy"

# A JSON string as json.dumps(..., ensure_ascii=False) writes it (the C encoder when present).
_string: Callable[[str], str] = json.encoder.encode_basestring


def learning_preferences(job: ExportJob) -> dict[str, Any]:
    """The owner's learning preferences, or the model's defaults if they have none (no row is
    made: an export reads, it does not write)."""
    fields = ("directions", "new_per_day")
    row = LearningPreferences.objects.filter(user=job.owner).values_list(*fields).first()
    if row is None:
        defaults = LearningPreferences()  # never saved
        row = (defaults.directions, defaults.new_per_day)
    return dict(zip(fields, row, strict=True))


def learning_json(job: ExportJob, names: dict[int, Name]) -> Iterator[str]:
    """The learning object as JSON text, in pieces (a chunk of rows at most each): laid out as
    `json.dumps(..., ensure_ascii=False, indent=2)` lays it out at the top level, except that
    each card and each review is one line, as the sessions are. Inside another object, indent
    each piece's lines (`nested`); the pieces hold no other newline (JSON escapes them in text).
    """
    head = {"preferences": learning_preferences(job)}
    yield json.dumps(head, ensure_ascii=False, indent=2)[:-2]  # leave it open
    yield from _array("cards", map(_card_lines(names), _chunks(_cards(job))))
    yield from _array("reviews", map(_review_lines(names), _chunks(_reviews(job))))
    yield "\n}"


def nested(piece: str, indent: str) -> str:
    """A piece of `learning_json` as the value of a key of an object at `indent`."""
    return piece.replace("\n", "\n" + indent)


def _cards(job: ExportJob) -> Iterator[tuple[Any, ...]]:
    rows = LearningCard.objects.filter(user=job.owner).order_by("name__number", "direction")
    return rows.values_list(
        "name_id", "direction", "state", "step", "stability", "difficulty",
        UTCText("due"), UTCText("last_review"), "introduced_on", "reviews", "lapses",
    ).iterator(chunk_size=CHUNK_SIZE)  # fmt: skip


def _reviews(job: ExportJob) -> Iterator[tuple[Any, ...]]:
    rows = LearningReview.objects.filter(user=job.owner).order_by("reviewed_at", "pk")
    return rows.values_list(
        "card__name_id", "card__direction", "rating", UTCText("reviewed_at"), "local_date"
    ).iterator(chunk_size=CHUNK_SIZE)


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[tuple[Any, ...], ...]]:
    return itertools.batched(rows, CHUNK_SIZE)


def _array(key: str, chunks: Iterable[list[str]]) -> Iterator[str]:
    yield f',\n  "{key}": ['
    separator = "\n    "
    for lines in chunks:
        yield separator + ",\n    ".join(lines)
        separator = ",\n    "
    yield "]" if separator == "\n    " else "\n  ]"


def _number(value: float | None) -> str:
    return "null" if value is None else repr(value)  # repr: what json.dumps writes for a float


def _time(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def _card_lines(names: dict[int, Name]) -> Callable[[tuple[tuple[Any, ...], ...]], list[str]]:
    # What json.dumps(card, ensure_ascii=False) writes for each (the pinned-format test checks
    # it byte for byte); each name's part encoded once.
    name_fields = {
        pk: f'"name_number": {n.number}, "name_transliteration": {_string(n.transliteration)}'
        for pk, n in names.items()
    }

    def lines(chunk: tuple[tuple[Any, ...], ...]) -> list[str]:
        return [
            f'{{{name_fields[name_id]}, "direction": {_string(direction)}, '
            f'"state": {_string(STATES.get(state, str(state)))}, "step": {_number(step)}, '
            f'"stability": {_number(stability)}, "difficulty": {_number(difficulty)}, '
            f'"due": {_time(due)}, "last_review": {_time(last_review)}, '
            f'"introduced_on": "{introduced_on.isoformat()}", '
            f'"reviews": {reviews}, "lapses": {lapses}}}'
            for (
                name_id, direction, state, step, stability, difficulty, due, last_review,
                introduced_on, reviews, lapses,
            ) in chunk
        ]  # fmt: skip

    return lines


def _review_lines(names: dict[int, Name]) -> Callable[[tuple[tuple[Any, ...], ...]], list[str]]:
    numbers = {pk: n.number for pk, n in names.items()}

    def lines(chunk: tuple[tuple[Any, ...], ...]) -> list[str]:
        return [
            f'{{"name_number": {numbers[name_id]}, "direction": {_string(direction)}, '
            f'"rating": {_string(RATINGS.get(rating, str(rating)))}, '
            f'"reviewed_at": "{reviewed_at}", "local_date": "{local_date.isoformat()}"}}'
            for name_id, direction, rating, reviewed_at, local_date in chunk
        ]

    return lines
