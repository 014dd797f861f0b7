"""Building export files: a user's journal as CSV, JSON, Markdown or a ZIP of all three, and
the staff exports (the names catalogue, an anonymised dataset).

Rows are read from the database a page at a time and written straight to the output, so memory
stays bounded whatever the size of the journal.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import time
import zipfile
import zoneinfo
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..catalogue.legacy_csv import export_csv as export_catalogue_csv
from ..models import DivineName, ExportJob, MeditationSession
from ..private_files import HashingWriter
from ..text import neutralise_formula

SCHEMA = "aysekai-journal-export"
SCHEMA_VERSION = 1
CHUNK_SIZE = 500
CSV_COLUMNS = (
    "id", "started_at", "ended_at", "name_number", "name_transliteration", "name_arabic",
    "intention", "reflection", "mood", "planned_seconds", "actual_seconds", "dhikr_count",
    "dhikr_target", "source", "legacy_session_id", "in_trash",
)  # fmt: skip
EXTENSIONS = {"csv": "csv", "json": "json", "md": "md", "zip": "zip"}
Progress = Callable[[int], None]


def file_name(job: ExportJob) -> str:
    """The name the person downloads."""
    stamp = (job.finished_at or job.created_at).strftime("%Y%m%d")
    return f"aysekai-{job.kind}-{stamp}.{EXTENSIONS[job.format]}"


def storage_path(job: ExportJob) -> str:
    """Where the file is kept in private storage: one path per job, so a retry replaces it."""
    return f"exports/{job.pk}.{EXTENSIONS[job.format]}"


# --- A user's journal ---------------------------------------------------------------------


def journal_entries(job: ExportJob) -> QuerySet[MeditationSession]:
    """Every entry of the owner (the trash included, marked), in the job's local date range."""
    entries = MeditationSession.objects.filter(user=job.owner).select_related("name")
    zone = zoneinfo.ZoneInfo(job.owner.time_zone)
    entries = entries.in_local_dates(job.date_from, job.date_to, zone)
    return entries.order_by("started_at", "pk")


def stream(entries: QuerySet[MeditationSession], progress: Progress) -> Iterator[MeditationSession]:
    """`entries` (ordered by started_at, pk), read CHUNK_SIZE at a time, each page whole;
    `progress(count)` after every row (the report writes only when there is news).

    No read is left open while `progress` writes: on SQLite a connection whose read is still
    open cannot write once another process has committed ("database is locked" at once,
    whatever the busy timeout), and the web writes all the time. So pages are fetched after
    the last one's (started_at, pk), not from one long cursor.
    """
    page = list(entries[:CHUNK_SIZE])
    count = 0
    while page:
        for entry in page:
            yield entry
            count += 1
            progress(count)
        if len(page) < CHUNK_SIZE:
            break
        last = page[-1]
        after = Q(started_at__gt=last.started_at) | Q(started_at=last.started_at, pk__gt=last.pk)
        page = list(entries.filter(after)[:CHUNK_SIZE])
    progress(-1)  # the pass is complete


def entry_record(entry: MeditationSession) -> dict[str, Any]:
    return {
        "id": str(entry.pk),
        "started_at": entry.started_at.isoformat(),
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
        "name_number": entry.name.number,
        "name_transliteration": entry.name.transliteration,
        "name_arabic": entry.name.arabic,
        "intention": entry.intention,
        "reflection": entry.reflection,
        "mood": entry.mood,
        "planned_seconds": entry.planned_seconds,
        "actual_seconds": entry.actual_seconds,
        "dhikr_count": entry.dhikr_count,
        "dhikr_target": entry.dhikr_target,
        "source": entry.source,
        "legacy_session_id": entry.legacy_id,
        "in_trash": entry.deleted_at is not None,
    }


def profile_record(job: ExportJob) -> dict[str, Any]:
    user = job.owner
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": user.date_joined.isoformat(),
    }


def preferences_record(job: ExportJob) -> dict[str, Any]:
    user = job.owner
    return {
        "time_zone": user.time_zone,
        "default_session_minutes": user.default_session_minutes,
        "dhikr_target": user.dhikr_target,
        "theme": user.theme,
        "show_streaks": user.show_streaks,
    }


def write_csv(out: IO[str], entries: Iterator[MeditationSession]) -> int:
    """Sessions as CSV for spreadsheets: BOM, and formula-looking cells neutralised."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for entry in entries:
        record = entry_record(entry)
        writer.writerow(
            neutralise_formula("" if record[c] is None else str(record[c])) for c in CSV_COLUMNS
        )
        rows += 1
    return rows


def write_json(out: IO[str], job: ExportJob, entries: Iterator[MeditationSession]) -> int:
    """The documented JSON schema (docs/export-format.md), written one session at a time."""
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
    out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2])  # leave the object open
    out.write(',\n  "sessions": [')
    rows = 0
    for entry in entries:
        out.write(",\n    " if rows else "\n    ")
        out.write(json.dumps(entry_record(entry), ensure_ascii=False))
        rows += 1
    out.write("\n  ]\n}\n" if rows else "]\n}\n")
    return rows


def _markdown_text(text: str) -> str:
    """Journal text as Markdown paragraphs, with nothing in it read as markup."""
    escaped = "".join("\\" + ch if ch in "\\`*_{}[]<>#+-!|" else ch for ch in text)
    return escaped.replace("\n", "  \n")


def write_markdown(out: IO[str], job: ExportJob, entries: Iterator[MeditationSession]) -> int:
    user = job.owner
    zone = zoneinfo.ZoneInfo(user.time_zone)
    out.write("# Aysekai journal\n\n")
    out.write(f"Exported {timezone.now().astimezone(zone):%Y-%m-%d %H:%M} ({user.time_zone}) ")
    out.write(f"for {_markdown_text(user.email)}.\n\n")
    rows = 0
    for entry in entries:
        local = entry.started_at.astimezone(zone)
        name = entry.name
        out.write(f"## {local:%Y-%m-%d %H:%M} — {name.transliteration} ({name.meaning})\n\n")
        out.write(f"- Name: {name.number}. {name.transliteration} — {name.arabic}\n")
        if not entry.finished:
            out.write("- Time: not finished\n")
        elif entry.time_not_recorded:
            out.write("- Time: not recorded\n")
        else:
            out.write(f"- Time: {entry.minutes} of {entry.planned_seconds // 60} minutes\n")
        out.write(f"- Dhikr: {entry.dhikr_count} of {entry.dhikr_target}\n")
        if entry.mood:
            out.write(f"- Mood: {entry.get_mood_display()}\n")
        if entry.deleted_at:
            out.write("- In the trash\n")
        out.write(f"\n**Intention.** {_markdown_text(entry.intention)}\n\n")
        if entry.reflection:
            out.write(f"**Reflection.**\n\n{_markdown_text(entry.reflection)}\n\n")
        rows += 1
    if not rows:
        out.write("_No sessions in this range._\n")
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


class _text_member:  # lower case: used as a context manager, like open()
    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.binary = archive.open(name, "w", force_zip64=True)
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")

    def __enter__(self) -> io.TextIOWrapper:
        return self.text

    def __exit__(self, *exc: object) -> None:
        self.text.flush()
        self.text.detach()
        self.binary.close()


def build(job: ExportJob, out: HashingWriter, report: Callable[[int], None]) -> int:
    """Write the job's file to `out`; `report(percent)` is called for every row (a
    `jobs.Progress` writes only when the percentage changed or its heartbeat is due). Returns
    rows."""
    if job.kind == ExportJob.Kind.CATALOGUE:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        rows = export_catalogue_csv(text)
        text.flush()
        text.detach()
        return rows
    if job.kind == ExportJob.Kind.DATASET:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            return write_dataset(archive)

    entries = journal_entries(job)
    total = max(1, entries.count())
    passes = 3 if job.format == ExportJob.Format.ZIP else 1
    done_passes = 0

    def progress(count: int) -> None:
        nonlocal done_passes
        if count == -1:
            done_passes += 1
            count = 0
        report(min(99, int(100 * (done_passes * total + count) / (passes * total))))
        if settings.EXPORT_CHUNK_PAUSE and count % CHUNK_SIZE == 0:
            time.sleep(settings.EXPORT_CHUNK_PAUSE)

    writers = {
        "csv": ("journal.csv", lambda o, e: write_csv(o, e)),
        "json": ("journal.json", lambda o, e: write_json(o, job, e)),
        "md": ("journal.md", lambda o, e: write_markdown(o, job, e)),
    }
    if job.format != ExportJob.Format.ZIP:
        _, write = writers[job.format]
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        rows = write(text, stream(entries, progress))
        text.flush()
        text.detach()
        return rows
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, write in writers.values():
            with _text_member(archive, member) as member_text:
                rows = write(member_text, stream(entries, progress))
    return rows
