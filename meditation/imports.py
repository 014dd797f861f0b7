"""Importing the command-line tool's session log (CSV) into a user's journal.

An upload is first inspected (`inspect_upload`: UTF-8 text, not the encrypted variant, the
required columns), then `import_job` validates every row and inserts the valid ones in one
transaction, so an error leaves nothing half-imported. Small files are imported during the
request, larger ones by the `meditation.run_import` task; both call `import_job`.

Reports and logs name rows and columns, never the log's text.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import batched
from pathlib import Path

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import private_files
from .forms import INTENTION_MAX, clean_intention
from .models import DivineName, ImportJob, JobStatus, MeditationSession, Source
from .text import fold

logger = logging.getLogger(__name__)

COLUMNS = ("timestamp", "user", "prompt", "name_number", "name_transliteration", "session_id")
USER_MAX = 100
SESSION_ID_MAX = 64
CHUNK = 500
# The report keeps this many skipped/rejected rows; the counts are always complete.
REPORT_MAX = 1000
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
FUTURE_SLACK = datetime.timedelta(minutes=1)
# Validation is most of the work: it fills the bar up to here; the insert does the rest.
VALIDATED_PROGRESS = 90
# The first line is the header; a longer one is not a session log.
HEAD_MAX = 64 * 1024

GENERIC_ERROR = (
    "Something went wrong while importing this log, and nothing was imported. "
    "Please try again; if it keeps failing, tell us."
)
MISSING_FILE_ERROR = "The uploaded file is no longer available. Please upload the log again."
BROKER_ERROR = (
    "Imports of large files are temporarily unavailable. Nothing was imported; "
    "please try again later."
)
ENCRYPTED_ERROR = (
    "This is the tool's encrypted session log, which cannot be imported. "
    "Export an unencrypted (CSV) log from the command-line tool and upload that instead."
)

# The encrypted log: each line is the hex of a Fernet token ("gAAAAA…" is 674141414141…).
_ENCRYPTED_LINE = re.compile(r"[0-9a-fA-F]{64,}")
_BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "a gzip archive",
}


def _binary_error(kind: str = "a binary file") -> ValidationError:
    return ValidationError(
        f"This is {kind}, not a text file. Upload the session log (a CSV text file).",
        code="binary",
    )


def inspect_upload(chunks: Iterable[bytes]) -> None:
    """Raise ValidationError unless the bytes are a UTF-8 session log with the right header.

    Streams the whole upload once, so that a bad byte anywhere is refused before any job exists.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    head, head_done, has_rows, first = "", False, False, True
    for chunk in chunks:
        if first:
            first = False
            for signature, kind in _BINARY_SIGNATURES.items():
                if chunk.startswith(signature):
                    raise _binary_error(kind)
        if b"\x00" in chunk:
            raise _binary_error()
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            raise _not_utf8() from None
        if not head_done:
            head += text
            if "\n" in head:
                head, rest = head.split("\n", 1)
                head_done, has_rows = True, bool(rest.strip())
            elif len(head) > HEAD_MAX:
                raise ValidationError(
                    "The first line is far too long to be the log's header.", code="header"
                )
        elif not has_rows:
            has_rows = bool(text.strip())
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _not_utf8() from None
    head = head.lstrip("\ufeff").strip()
    if not head:
        raise ValidationError("The file is empty.", code="empty")
    if _ENCRYPTED_LINE.fullmatch(head):
        raise ValidationError(ENCRYPTED_ERROR, code="encrypted")
    missing = [c for c in COLUMNS if c not in header_index(next(csv.reader([head])))]
    if missing:
        raise ValidationError(
            f"The header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. The first line must name the columns {','.join(COLUMNS)}.",
            code="columns",
        )
    if not has_rows:
        raise ValidationError("The log has a header but no sessions below it.", code="no_rows")


def _not_utf8() -> ValidationError:
    return ValidationError(
        "The file is not UTF-8 text. Save the log as a UTF-8 CSV file and upload it again.",
        code="encoding",
    )


def header_index(header: list[str]) -> dict[str, int]:
    """Column name (trimmed, lower case) → position; the first of repeated names wins."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.lstrip("\ufeff").strip().lower(), position)
    return index


# --- Rows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidRow:
    row: int
    session_id: str
    user: str
    prompt: str
    name_id: int
    at: datetime.datetime


def _name_key(transliteration: str) -> str:
    # "Ar-Raḥmān", "ar rahman" and "ArRahman" are the same name.
    return fold(transliteration).replace(" ", "")


def _names() -> dict[int, tuple[int, str, str]]:
    return {
        n.number: (n.pk, _name_key(n.transliteration), n.transliteration)
        for n in DivineName.objects.only("pk", "number", "transliteration")
    }


def _check_timestamp(raw: str, now: datetime.datetime) -> tuple[datetime.datetime | None, str]:
    if not raw:
        return None, "timestamp is missing"
    try:
        at = datetime.datetime.fromisoformat(raw)
    except ValueError:
        return None, "timestamp is not an ISO 8601 date and time (e.g. 2024-03-01T07:30:00)"
    if at.tzinfo is None:
        at = at.replace(tzinfo=datetime.UTC)  # the tool wrote UTC without saying so
    if at > now + FUTURE_SLACK:
        return None, "timestamp is in the future"
    if at < EARLIEST:
        return None, "timestamp is before 2000"
    return at, ""


def validate_row(
    values: dict[str, str], row: int, names: dict[int, tuple[int, str, str]], now: datetime.datetime
) -> ValidRow | list[str]:
    """The row's values ready to insert, or the reasons (naming columns) it is refused."""
    problems = []
    at, problem = _check_timestamp(values["timestamp"], now)
    if problem:
        problems.append(problem)
    user = values["user"]
    if len(user) > USER_MAX:
        problems.append(f"user is longer than {USER_MAX} characters")
    prompt, _ = clean_intention(values["prompt"])
    if not prompt:
        problems.append("prompt is empty")
    elif len(prompt) > INTENTION_MAX:
        problems.append(f"prompt is longer than {INTENTION_MAX} characters")
    name = None
    number = values["name_number"]
    if number.isascii() and number.isdigit() and int(number) in names:
        name = names[int(number)]
    else:
        problems.append("name_number is not a whole number from 1 to 99")
    transliteration = values["name_transliteration"]
    if name and transliteration and _name_key(transliteration) != name[1]:
        problems.append(f"name_transliteration does not match name {number} ({name[2]})")
    if problems or at is None or name is None:
        return problems
    return ValidRow(row, values["session_id"], user, prompt, name[0], at)


def _check_session_id(session_id: str) -> str:
    if not session_id:
        return "session_id is missing"
    if len(session_id) > SESSION_ID_MAX:
        return f"session_id is longer than {SESSION_ID_MAX} characters"
    return ""


class _CountingLines:
    """The file's lines as text for the csv module, counting the bytes read for progress."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as raw:
            for number, line in enumerate(raw):
                self.consumed += len(line)
                text = line.decode("utf-8")
                yield text.lstrip("\ufeff") if number == 0 else text


class CsvProblem(Exception):
    """The file stops being readable CSV: the person can fix it, so say where."""


@dataclass
class Outcome:
    valid: list[ValidRow]
    report: list[tuple[int, str, str]]  # (row, "skipped"|"rejected", reason)
    rejected: int = 0
    skipped: int = 0


def _existing_ids(owner_id: int, session_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in batched(session_ids, CHUNK):
        found.update(
            MeditationSession.objects.filter(user_id=owner_id, legacy_id__in=chunk).values_list(
                "legacy_id", flat=True
            )
        )
    return found


def validate_file(job: ImportJob) -> Outcome:
    """Read the upload row by row (header = row 1) and sort every row into valid or not."""
    lines = _CountingLines(private_files.path_of(job.file))
    reader = csv.reader(lines)
    outcome = Outcome(valid=[], report=[])
    already = set(
        MeditationSession.objects.filter(user_id=job.owner_id)
        .exclude(legacy_id="")
        .values_list("legacy_id", flat=True)
    )
    accepted: dict[str, int] = {}  # session_id → the row that will import it
    names, now = _names(), timezone.now()
    row = 0
    try:
        index = header_index(next(reader))
        row = 1
        for row, fields in enumerate(reader, start=2):
            if row % CHUNK == 0:
                progress = VALIDATED_PROGRESS * lines.consumed // max(job.size, 1)
                ImportJob.objects.filter(pk=job.pk).update(progress=min(progress, 99))
            if not any(f.strip() for f in fields):
                continue  # a blank line
            verdict, kind = _judge(fields, index, row, names, now, already, accepted)
            if isinstance(verdict, ValidRow):
                accepted[verdict.session_id] = row
                outcome.valid.append(verdict)
            elif kind == "skipped":
                outcome.skipped += 1
                outcome.report.append((row, kind, verdict))
            else:
                outcome.rejected += 1
                outcome.report.append((row, kind, verdict))
    except csv.Error:
        raise CsvProblem(f"The file is not well-formed CSV near row {row + 1}.") from None
    return outcome


def _judge(
    fields: list[str],
    index: dict[str, int],
    row: int,
    names: dict[int, tuple[int, str, str]],
    now: datetime.datetime,
    already: set[str],
    accepted: dict[str, int],
) -> tuple[ValidRow | str, str]:
    """(ValidRow, "") for a row to import, or (reason, "skipped" | "rejected")."""
    if len(fields) == 1 and _ENCRYPTED_LINE.fullmatch(fields[0].strip()):
        return "the row is encrypted; export an unencrypted log from the tool", "rejected"
    missing = [c for c in COLUMNS if index[c] >= len(fields)]
    if missing:
        return f"the row has no value for {', '.join(missing)}", "rejected"
    if len(fields) > len(index):
        return (
            f"the row has {len(fields)} fields but the header has {len(index)} "
            "(is a comma in prompt not quoted?)",
            "rejected",
        )
    values = {c: fields[index[c]].strip() for c in COLUMNS}
    session_id = values["session_id"]
    problem = _check_session_id(session_id)
    if problem:
        return problem, "rejected"
    if session_id in already:
        return "already imported", "skipped"
    if session_id in accepted:
        return f"duplicate of row {accepted[session_id]}", "skipped"
    checked = validate_row(values, row, names, now)
    if isinstance(checked, list):
        return "; ".join(checked), "rejected"
    return checked, ""


# --- The job -------------------------------------------------------------------------------


def fail(job_id: uuid.UUID | str, error: str) -> None:
    """Mark the job failed (unless another run finished it) and delete its upload."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    ImportJob.objects.filter(pk=job.pk).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now(), file=""
    )
    private_files.delete(job.file)


def _insert(job: ImportJob, outcome: Outcome) -> int:
    """Create the valid rows' entries, re-checking ids a concurrent run may have imported."""
    imported = 0
    for chunk in batched(outcome.valid, CHUNK):
        taken = _existing_ids(job.owner_id, (v.session_id for v in chunk))
        entries = []
        for v in chunk:
            if v.session_id in taken:
                outcome.skipped += 1
                outcome.report.append((v.row, "skipped", "already imported"))
                continue
            entries.append(
                MeditationSession(
                    user_id=job.owner_id,
                    name_id=v.name_id,
                    intention=v.prompt,
                    planned_seconds=0,
                    actual_seconds=0,
                    started_at=v.at,
                    ended_at=v.at,
                    source=Source.IMPORT,
                    legacy_id=v.session_id,
                    legacy_user=v.user,
                )
            )
        MeditationSession.objects.bulk_create(entries)
        imported += len(entries)
    return imported


def _finish(job_id: uuid.UUID | str, outcome: Outcome) -> bool:
    """Insert everything and mark the job done, in one transaction: all of it or none."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            return False  # another run of this job got here first
        job.imported = _insert(job, outcome)
        job.skipped, job.rejected = outcome.skipped, outcome.rejected
        job.report = [
            {"row": row, "outcome": kind, "reason": reason}
            for row, kind, reason in sorted(outcome.report)[:REPORT_MAX]
        ]
        job.status, job.progress, job.error = JobStatus.DONE, 100, ""
        job.finished_at = timezone.now()
        job.file = ""
        job.save()
    return True


def import_job(job_id: uuid.UUID | str) -> ImportJob | None:
    """Run one import to its end (done or failed). Safe to run again: it never doubles entries."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.EXPIRED):
        return job
    upload = job.file
    if not upload or not private_files.path_of(upload).exists():
        fail(job.pk, MISSING_FILE_ERROR)
        return ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=0, error="", started_at=timezone.now()
    )
    try:
        outcome = validate_file(job)
        ImportJob.objects.filter(pk=job.pk).update(progress=VALIDATED_PROGRESS)
        _finish(job.pk, outcome)
    except CsvProblem as problem:
        fail(job.pk, f"{problem} Nothing was imported.")
    except Exception:
        # Logged without the row's values (the exception names none of the log's text).
        logger.exception("import %s failed", job.pk)
        fail(job.pk, GENERIC_ERROR)
    else:
        private_files.delete(upload)
    return ImportJob.objects.get(pk=job.pk)


@shared_task(name="meditation.run_import")
def run_import(job_id: str) -> str:
    job = import_job(job_id)
    return job.status if job else "missing"
