"""Building export files: a user's journal as CSV, JSON, Markdown or a ZIP of all three (and
their learning of the names, `learning.json`), and the staff exports (the names catalogue, an
anonymised dataset).

Rows are read from the database a page at a time (`journal`) and written straight to the
output, so memory stays bounded whatever the size of the journal; a ZIP is written in one pass.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import time
import zipfile
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import IO

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext

from ..catalogue.legacy_csv import export_csv as export_catalogue_csv
from ..models import DivineName, ExportJob, MeditationSession, minutes
from ..private_files import HashingWriter
from ..text import neutralise_formula
from . import deflated, learning
from .journal import (
    MOODS,
    Entry,
    Name,
    batches,
    journal_entries,
    names,
    preferences_record,
    profile_record,
)

SCHEMA = "aysekai-journal-export"
SCHEMA_VERSION = 1
CHUNK_SIZE = 500
CSV_COLUMNS = (
    "id", "started_at", "ended_at", "name_number", "name_transliteration", "name_arabic",
    "intention", "reflection", "mood", "planned_seconds", "actual_seconds", "dhikr_count",
    "dhikr_target", "source", "legacy_session_id", "in_trash",
)  # fmt: skip
EXTENSIONS = {"csv": "csv", "json": "json", "md": "md", "zip": "zip"}


def file_name(job: ExportJob) -> str:
    """The name the person downloads."""
    stamp = (job.finished_at or job.created_at).strftime("%Y%m%d")
    return f"aysekai-{job.kind}-{stamp}.{EXTENSIONS[job.format]}"


def storage_path(job: ExportJob) -> str:
    """Where the file is kept in private storage: one path per job, so a retry replaces it."""
    return f"exports/{job.pk}.{EXTENSIONS[job.format]}"


# --- A user's journal ---------------------------------------------------------------------
#
# Each format is a writer fed a batch of entries at a time (`begin`, `write` per batch, `end`),
# so that a ZIP writes its three members' content in the same pass over the data.

# A JSON string as json.dumps(..., ensure_ascii=False) writes it (the C encoder when present).
_string: Callable[[str], str] = json.encoder.encode_basestring
# Characters Markdown reads as markup, each escaped with a backslash (a regex is several times
# faster at this than str.translate).
_MARKUP = re.compile(r"[\\`*_{}\[\]<>#+\-!|]")


def _markdown_text(text: str) -> str:
    """Journal text as Markdown paragraphs, with nothing in it read as markup."""
    if _MARKUP.search(text) is not None:  # most text has nothing to escape: no substitution
        text = _MARKUP.sub(r"\\\g<0>", text)
    return text.replace("\n", "  \n")


class JournalWriter:
    """One format of a journal export, written to `out` as entries arrive."""

    member = ""

    def __init__(self, out: IO[str], job: ExportJob, names: dict[int, Name]) -> None:
        self.out, self.job, self.names = out, job, names

    def begin(self) -> None:
        pass

    def write(self, entries: list[Entry]) -> None:
        raise NotImplementedError

    def end(self, rows: int) -> None:
        pass


# What makes csv.writer (QUOTE_MINIMAL, "," and '"', lines ending "\r\n") quote a cell.
_CSV_SPECIAL = re.compile(r'[,"\r\n]').search


def _csv_cell(text: str) -> str:
    """A text cell as csv.writer writes it (tests/meditation/exports/test_csv_cells.py)."""
    if _CSV_SPECIAL(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(text: str) -> str:
    """Journal or catalogue text as a cell: formula-looking text neutralised, then quoted."""
    return _csv_cell(neutralise_formula(text))


class CsvWriter(JournalWriter):
    """Sessions as CSV for spreadsheets: BOM, and formula-looking cells neutralised. Sessions
    only: this is the old tool's log format, which must stay compatible with it, so learning
    (issue 15) is in the JSON and the ZIP's `learning.json`, never here.

    The rows are written as csv.writer writes them, a line per f-string: csv.writer took twice
    as long, most of it in building the tuple of cells for each row.
    """

    member = "journal.csv"

    def begin(self) -> None:
        self.out.write("\ufeff")
        csv.writer(self.out, lineterminator="\r\n").writerow(CSV_COLUMNS)
        # The catalogue is curators' text: neutralised like the journal's, once per name.
        self.name_cells = {
            pk: f"{n.number},{_csv_text(n.transliteration)},{_csv_text(n.arabic)}"
            for pk, n in self.names.items()
        }

    def write(self, entries: list[Entry]) -> None:
        self.out.write("".join(map(self._row, entries)))

    def _row(self, entry: Entry) -> str:
        # Ids, times and numbers hold nothing to quote, and cannot start like a formula.
        actual = "" if entry.actual_seconds is None else entry.actual_seconds
        return (
            f"{entry.id},{entry.started},{entry.ended},{self.name_cells[entry.name_id]},"
            f"{_csv_text(entry.intention)},{_csv_text(entry.reflection)},"
            f"{_csv_cell(entry.mood)},{entry.planned_seconds},{actual},"
            f"{entry.dhikr_count},{entry.dhikr_target},{_csv_cell(entry.source)},"
            f"{_csv_text(entry.legacy_id)},{entry.in_trash}\r\n"
        )


class JsonWriter(JournalWriter):
    """The documented JSON schema (docs/export-format.md), written one session at a time, then
    the person's learning (`exports/learning.py`: whole, whatever the date range)."""

    member = "journal.json"
    # Where the learning object also goes, alone, as it is read (a ZIP's learning.json): the
    # learning tables are read once however many files hold them.
    learning_copy: IO[str] | None = None

    def begin(self) -> None:
        job = self.job
        head = {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "exported_at": timezone.now().isoformat(),
            "range": {
                "from": job.date_from.isoformat() if job.date_from else None,
                "to": job.date_to.isoformat() if job.date_to else None,
            },
            "profile": profile_record(job),
            "preferences": preferences_record(job),
        }
        self.out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2])  # leave it open
        self.out.write(',\n  "sessions": [')
        self.separator = "\n    "

        # Each name's three fields, encoded once.
        self.name_fields = {
            pk: f'"name_number": {n.number}, "name_transliteration": {_string(n.transliteration)}, '
            f'"name_arabic": {_string(n.arabic)}'
            for pk, n in self.names.items()
        }

    def write(self, entries: list[Entry]) -> None:
        self.out.write("".join(map(self._session, entries)))

    def _session(self, entry: Entry) -> str:
        # What json.dumps(session, ensure_ascii=False) writes for a session of the documented
        # shape (the pinned-format test checks it byte for byte), at a third of the cost.
        ended = f'"{entry.ended}"' if entry.ended else "null"
        actual = "null" if entry.actual_seconds is None else entry.actual_seconds
        separator, self.separator = self.separator, ",\n    "
        return (
            f'{separator}{{"id": "{entry.id}", '
            f'"started_at": "{entry.started}", '
            f'"ended_at": {ended}, '
            f"{self.name_fields[entry.name_id]}, "
            f'"intention": {_string(entry.intention)}, "reflection": {_string(entry.reflection)}, '
            f'"mood": {_string(entry.mood)}, "planned_seconds": {entry.planned_seconds}, '
            f'"actual_seconds": {actual}, '
            f'"dhikr_count": {entry.dhikr_count}, "dhikr_target": {entry.dhikr_target}, '
            f'"source": {_string(entry.source)}, '
            f'"legacy_session_id": {_string(entry.legacy_id)}, '
            f'"in_trash": {"true" if entry.in_trash else "false"}}}'
        )

    def end(self, rows: int) -> None:
        out, copy = self.out, self.learning_copy
        out.write("\n  ],\n" if rows else "],\n")
        out.write('  "learning": ')
        for piece in learning.learning_json(self.job, self.names):
            out.write(learning.nested(piece, "  "))
            if copy is not None:
                copy.write(piece)
        out.write("\n}\n")
        if copy is not None:
            copy.write("\n")


class MarkdownWriter(JournalWriter):
    """The journal to read: sessions only (learning is in the JSON and the ZIP). Its words are
    in the person's language (`build` writes it under their settings' language): each is
    translated once here, in `begin`, never per section."""

    member = "journal.md"

    def begin(self) -> None:
        user = self.job.owner
        self.zone = zoneinfo.ZoneInfo(user.time_zone)
        out = self.out
        title = gettext("Aysekai journal")  # (not in an f-string: makemessages would miss it)
        out.write(f"# {title}\n\n")
        exported = gettext("Exported %(when)s (%(zone)s) for %(email)s.") % {
            "when": f"{timezone.now().astimezone(self.zone):%Y-%m-%d %H:%M}",
            "zone": user.time_zone,
            "email": _markdown_text(user.email),
        }
        out.write(f"{exported}\n\n")
        name, mood = gettext("Name"), gettext("Mood")
        # The part of a section each name always gives, made once per name.
        self.name_lines = {
            pk: f" — {n.transliteration} ({n.meaning})\n\n"
            f"- {name}: {n.number}. {n.transliteration} — {n.arabic}\n"
            for pk, n in self.names.items()
        }
        self.mood_lines = {"": ""} | {m: f"- {mood}: {label}\n" for m, label in MOODS.items()}
        self.words = {
            "mood": mood,
            "time": gettext("Time"),
            "dhikr": gettext("Dhikr"),
            "not finished": gettext("not finished"),
            "not recorded": gettext("not recorded"),
            "trash": "- " + gettext("In the trash") + "\n",
            "intention": gettext("Intention."),
            "reflection": gettext("Reflection."),
            "of": gettext("%(done)s of %(target)s"),
            "minutes": gettext("%(sat)s of %(planned)s minutes"),
        }
        self.durations: dict[tuple[int, int], str] = {}

    def write(self, entries: list[Entry]) -> None:
        self.out.write("".join(map(self._section, entries)))

    def _section(self, entry: Entry) -> str:
        # One f-string per section rather than a list of lines joined, and the local time
        # formatted without its zone (whose isoformat would look the offset up again): 39 ms
        # for 10,000 entries before, 34 after.
        local = datetime.datetime.fromisoformat(entry.started).astimezone(self.zone)
        local = local.replace(tzinfo=None)
        words = self.words
        if not entry.ended:
            duration = words["not finished"]
        elif entry.planned_seconds == 0 and not entry.actual_seconds:  # time_not_recorded
            duration = words["not recorded"]
        else:  # a few lengths recur: each written once
            times = (entry.actual_seconds or 0, entry.planned_seconds)
            duration = self.durations.get(times) or self.durations.setdefault(
                times, words["minutes"] % {"sat": minutes(times[0]), "planned": times[1] // 60}
            )
        mood = self.mood_lines.get(entry.mood)
        if mood is None:  # a value no longer among the choices: shown as it is
            mood = f"- {words['mood']}: {entry.mood}\n"
        trash = words["trash"] if entry.in_trash else ""
        reflection = (
            f"**{words['reflection']}**\n\n{_markdown_text(entry.reflection)}\n\n"
            if entry.reflection
            else ""
        )
        dhikr = words["of"] % {"done": entry.dhikr_count, "target": entry.dhikr_target}
        return (
            f"## {local.isoformat(' ', 'minutes')}{self.name_lines[entry.name_id]}"
            f"- {words['time']}: {duration}\n- {words['dhikr']}: {dhikr}\n"
            f"{mood}{trash}\n**{words['intention']}** {_markdown_text(entry.intention)}\n\n"
            f"{reflection}"
        )

    def end(self, rows: int) -> None:
        if not rows:
            self.out.write("_" + gettext("No sessions in this range.") + "_\n")


WRITERS: dict[str, type[JournalWriter]] = {
    "csv": CsvWriter,
    "json": JsonWriter,
    "md": MarkdownWriter,
}


def write_journal(writers: list[JournalWriter], entries: Iterator[list[Entry]]) -> int:
    """Feed every batch of entries to every writer, in one pass; returns the rows written."""
    for writer in writers:
        writer.begin()
    rows = 0
    for batch in entries:
        for writer in writers:
            writer.write(batch)
        rows += len(batch)
    for writer in writers:
        writer.end(rows)
    return rows


# --- Staff exports ----------------------------------------------------------------------


def write_dataset(archive: zipfile.ZipFile) -> int:
    """Anonymised: counts per name and totals per (UTC) day, over every finished journal entry
    not in a trash (imported ones included: they add no minutes). Returns the days written."""
    finished = MeditationSession.objects.active().filter(ended_at__isnull=False)
    with _text_member(archive, "names.csv") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["number", "transliteration", "entries"])
        counts = dict(finished.values("name__number").annotate(n=Count("id")).values_list(
            "name__number", "n"))  # fmt: skip
        for number, transliteration in DivineName.objects.values_list("number", "transliteration"):
            writer.writerow([number, transliteration, counts.get(number, 0)])
    days = (
        finished.annotate(day=TruncDate("started_at", tzinfo=datetime.UTC))
        .values("day")
        .annotate(entries=Count("id"), seconds=Sum("actual_seconds", default=0))
        .order_by("day")
    )
    rows = 0
    with _text_member(archive, "days.csv") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["date", "entries", "minutes"])
        for day in days.iterator(chunk_size=CHUNK_SIZE):
            writer.writerow([day["day"].isoformat(), day["entries"], day["seconds"] // 60])
            rows += 1
    return rows


# --- Putting it together ----------------------------------------------------------------


@contextmanager
def _text(binary: IO[bytes] | io.BufferedIOBase) -> Iterator[IO[str]]:
    """UTF-8 text onto a binary stream, flushed and detached (the stream stays open) at the
    end."""
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")  # type: ignore[type-var]
    yield text
    text.flush()
    text.detach()


@contextmanager
def _text_member(archive: zipfile.ZipFile, name: str) -> Iterator[IO[str]]:
    with archive.open(name, "w", force_zip64=True) as binary, _text(binary) as text:
        yield text


def build(job: ExportJob, out: HashingWriter, report: Callable[[int], None]) -> int:
    """Write the job's file to `out`; `report(percent)` is called for every row (a
    `jobs.Progress` writes only when the percentage changed or its heartbeat is due). Returns
    rows."""
    if job.kind == ExportJob.Kind.CATALOGUE:
        with _text(out) as text:
            return export_catalogue_csv(text)
    if job.kind == ExportJob.Kind.DATASET:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            return write_dataset(archive)

    entries = journal_entries(job)
    total = max(1, entries.count())

    def progress(count: int) -> None:
        report(min(99, 100 * count // total))
        if settings.EXPORT_CHUNK_PAUSE:  # tests slow exports down with it: after every batch
            time.sleep(settings.EXPORT_CHUNK_PAUSE)

    rows, catalogue = batches(entries, progress), names()
    # The words a person reads (the Markdown's) in their settings' language, wherever the job
    # runs (a worker has no request); the data formats (CSV, JSON) have no words to translate.
    with translation.override(job.owner.language):
        if job.format != ExportJob.Format.ZIP:
            with _text(out) as text:
                return write_journal([WRITERS[job.format](text, job, catalogue)], rows)
        return _write_zip(out, job, catalogue, rows, lambda: report(99))


def _write_zip(
    out: HashingWriter,
    job: ExportJob,
    catalogue: dict[int, Name],
    rows: Iterator[list[Entry]],
    alive: Callable[[], None],
) -> int:
    """The three files in one pass over the data, and `learning.json` written with the JSON's
    learning: the first member is deflated into the archive as the rows go by, the others into
    encrypted temporaries (never plaintext on disk, never the whole export in memory) and copied
    into the archive after it as they are (`deflated`); `alive()` between chunks of the copy
    keeps the job's heartbeat."""
    first, *others = WRITERS.values()
    with deflated.Archive(out) as archive, ExitStack() as waiting:
        members = [waiting.enter_context(deflated.DeflatedMember(k.member)) for k in others]
        alone = waiting.enter_context(deflated.DeflatedMember(learning.MEMBER))
        with ExitStack() as texts:
            streamed = texts.enter_context(archive.stream(first.member))
            writers = [first(texts.enter_context(_text(streamed)), job, catalogue)]
            for kind, member in zip(others, members, strict=True):
                writers.append(kind(texts.enter_context(_text(member)), job, catalogue))
            (json_writer,) = (w for w in writers if isinstance(w, JsonWriter))
            json_writer.learning_copy = texts.enter_context(_text(alone))
            count = write_journal(writers, rows)
        for member in [*members, alone]:
            archive.add(member, alive)
    return count
