"""Validating a session log row by row: each row is to import, skipped (already imported, a
duplicate) or rejected, with a reason that names columns, never the row's text."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from .. import jobs, private_files
from ..models import INTENTION_MAX, REFLECTION_MAX, DivineName, ImportJob, MeditationSession
from ..text import fold, one_line, paragraphs
from .upload import COLUMNS, ENCRYPTED_LINE, OPTIONAL_COLUMNS, header_index

USER_MAX = 100
SESSION_ID_MAX = 64
SECONDS_MAX = 36_000  # ten hours, as the sitting's own finish form
DHIKR_COUNT_MAX = 1_000_000
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
FUTURE_SLACK = datetime.timedelta(minutes=1)
# Validation is most of the work: it fills the bar up to here; the insert does the rest.
VALIDATED_PROGRESS = 90
# Rows looked up or inserted per query.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class ValidRow:
    row: int
    session_id: str
    user: str
    prompt: str
    name_id: int
    at: datetime.datetime
    reflection: str = ""
    seconds: int = 0
    dhikr_count: int = 0


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
    prompt, _ = one_line(values["prompt"])
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
    reflection = paragraphs(values.get("reflection", ""))
    if len(reflection) > REFLECTION_MAX:
        problems.append(f"reflection is longer than {REFLECTION_MAX} characters")
    seconds = _whole(values, "seconds", SECONDS_MAX, problems)
    dhikr_count = _whole(values, "dhikr_count", DHIKR_COUNT_MAX, problems)
    if problems or at is None or name is None:
        return problems
    return ValidRow(row, values["session_id"], user, prompt, name[0], at, reflection, seconds,
                    dhikr_count)  # fmt: skip


def _whole(values: dict[str, str], column: str, most: int, problems: list[str]) -> int:
    """An optional whole-number column: 0 when absent or empty."""
    raw = values.get(column, "").strip()
    if not raw:
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > most:
        problems.append(f"{column} is not a whole number from 0 to {most:,}")
        return 0
    return int(raw)


def _check_session_id(session_id: str) -> str:
    if not session_id:
        return "session_id is missing"
    if len(session_id) > SESSION_ID_MAX:
        return f"session_id is longer than {SESSION_ID_MAX} characters"
    return ""


class _CountingLines:
    """The file's lines as text for the csv module, counting the bytes read for progress."""

    def __init__(self, relative: str) -> None:
        self.relative = relative
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        # Stored encrypted (private_files); decrypted a chunk at a time as the lines are read.
        with private_files.open_plain(self.relative) as raw:
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


class _Sorter:
    """Sorts rows, as they are read, into to import, skipped and rejected."""

    def __init__(self, job: ImportJob, index: dict[str, int]) -> None:
        self.index = index
        self.outcome = Outcome(valid=[], report=[])
        self.already = set(
            MeditationSession.objects.filter(user_id=job.owner_id)
            .exclude(legacy_id="")
            .values_list("legacy_id", flat=True)
        )
        self.accepted: dict[str, int] = {}  # session_id → the row that will import it
        self.names, self.now = _names(), timezone.now()

    def add(self, row: int, fields: list[str] | str) -> None:
        """A row's fields, or the reason it could not be read (a row that did not decrypt)."""
        verdict: ValidRow | str
        if isinstance(fields, str):
            verdict, kind = fields, "rejected"
        elif not any(f.strip() for f in fields):
            return  # a blank line
        else:
            verdict, kind = _judge(
                fields, self.index, row, self.names, self.now, self.already, self.accepted
            )
        if isinstance(verdict, ValidRow):
            self.accepted[verdict.session_id] = row
            self.outcome.valid.append(verdict)
        elif kind == "skipped":
            self.outcome.skipped += 1
            self.outcome.report.append((row, kind, verdict))
        else:
            self.outcome.rejected += 1
            self.outcome.report.append((row, kind, verdict))


def validate_file(job: ImportJob) -> Outcome:
    """Read the upload row by row (header = row 1) and sort every row into valid or not."""
    lines = _CountingLines(job.file)
    reader = csv.reader(lines)
    report = jobs.Progress(job)  # called every row; writes when there is news
    row = 0
    try:
        sorter = _Sorter(job, header_index(next(reader)))
        row = 1
        for row, fields in enumerate(reader, start=2):
            # Below VALIDATED_PROGRESS until every row is sorted.
            report(
                min(VALIDATED_PROGRESS * lines.consumed // max(job.size, 1), VALIDATED_PROGRESS - 1)
            )
            sorter.add(row, fields)
    except csv.Error:
        raise CsvProblem(f"The file is not well-formed CSV near row {row + 1}.") from None
    return sorter.outcome


def validate_records(
    job: ImportJob, index: dict[str, int], records: Iterable[tuple[int, list[str] | str]]
) -> Outcome:
    """Sort rows already read (a decrypted log, never stored) as `validate_file` does."""
    sorter = _Sorter(job, index)
    for row, fields in records:
        sorter.add(row, fields)
    return sorter.outcome


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
    if len(fields) == 1 and ENCRYPTED_LINE.fullmatch(fields[0].strip()):
        return "the row is encrypted: upload the log again with its key file (.key)", "rejected"
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
    values |= {
        c: fields[index[c]] for c in OPTIONAL_COLUMNS if c in index and index[c] < len(fields)
    }
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
