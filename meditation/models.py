"""The tables: the 99 names, journal entries, and the export and import jobs."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from aysekai_site.platform.versions import SharedVersion

from . import search_index
from .crypto import EncryptedTextField
from .text import ARABIC_SCRIPT_VALIDATOR, validate_quran_references

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

NAME_COUNT = 99


class DivineNameQuerySet(models.QuerySet["DivineName"]):
    def of_the_day(self, day: datetime.date) -> DivineName | None:
        return self.filter(number=number_of_the_day(day)).first()

    def state(self) -> str:
        """What the catalogue is now, in one query: it moves with any write (see `updated_at`)."""
        row = self.aggregate(count=Count("pk"), latest=Max("updated_at"))
        latest = row["latest"].timestamp() if row["latest"] else 0
        return f"{row['count']}-{latest}"

    # Bulk writes touch `updated_at` too, and move the catalogue version (issue 13); saves and
    # deletes move it from their signals (meditation/signals.py).
    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault("updated_at", timezone.now())
        updated = super().update(**kwargs)
        if updated:
            CATALOGUE_VERSION.bump()
        return updated

    def bulk_update(
        self, objs: Iterable[DivineName], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        names = list(objs)
        now = timezone.now()
        for name in names:
            name.updated_at = now
        # django-stubs types the parent with its own _Model, not this queryset's DivineName.
        updated = super().bulk_update(names, [*fields, "updated_at"], batch_size=batch_size)  # type: ignore[arg-type]
        if updated:
            CATALOGUE_VERSION.bump()
        return updated

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[DivineName], *args: Any, **kwargs: Any
    ) -> list[DivineName]:
        """`load_names` (through simple-history's `bulk_create_with_history`) and the tests."""
        created: list[DivineName] = super().bulk_create(objs, *args, **kwargs)  # type: ignore[arg-type,assignment]
        if created:
            CATALOGUE_VERSION.bump()
        return created


QURAN_READER = "https://quran.com/{surah}/{ayah}"


def number_of_the_day(day: datetime.date) -> int:
    """The name of a UTC date: the 99 in order, one a day, the same for everyone.

    Consecutive days walk through the whole catalogue, so every name returns every 99 days.
    """
    return day.toordinal() % NAME_COUNT + 1


class DivineName(models.Model):
    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(NAME_COUNT)]
    )
    slug = models.SlugField(max_length=80, unique=True)
    arabic = models.CharField(max_length=100, validators=[ARABIC_SCRIPT_VALIDATOR])
    transliteration = models.CharField(max_length=100)
    meaning = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tawil = models.TextField("taʾwīl (contemplative commentary)", blank=True)
    quran_references = models.JSONField(
        "Qurʾānic references",
        default=list,
        blank=True,
        validators=[validate_quran_references],
        help_text='A list of {"surah": S, "ayah": A}; the first is the featured verse.',
    )
    verse_arabic = models.TextField(blank=True, validators=[ARABIC_SCRIPT_VALIDATOR])
    verse_translation = models.TextField(blank=True)
    dhikr = models.CharField(max_length=200, blank=True)
    dhikr_arabic = models.CharField(
        "dhikr in Arabic script",
        max_length=200,
        blank=True,
        validators=[ARABIC_SCRIPT_VALIDATOR],
        db_default="",  # rows written by older migrations' code (0005's history) get it too
    )
    pronunciation = models.CharField(max_length=200, blank=True)
    phonetics = models.CharField(max_length=200, blank=True)
    # Any write to a name moves it (saves, reverts, bulk updates): with the row count, the
    # catalogue's state, its version when the cache holds none (`CATALOGUE_VERSION`).
    updated_at = models.DateTimeField(auto_now=True)

    objects = DivineNameQuerySet.as_manager()
    # Who changed what and when, with revert, for curators (django-simple-history).
    history = HistoricalRecords(excluded_fields=["slug", "updated_at"])

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1) & models.Q(number__lte=NAME_COUNT),
                name="meditation_divinename_number_1_99",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.transliteration}"

    def get_absolute_url(self) -> str:
        return reverse("meditation:name_detail", args=[self.number])

    @property
    def contemplation_line(self) -> str:
        """The first sentence of the commentary (the closing screen of a sitting shows it)."""
        text = " ".join(self.tawil.split())
        end = next((i + 1 for i, ch in enumerate(text) if ch in ".!?" and
                    (i + 1 == len(text) or text[i + 1] == " ")), len(text))  # fmt: skip
        return text[:end]

    @property
    def previous_number(self) -> int:
        return NAME_COUNT if self.number == 1 else self.number - 1

    @property
    def next_number(self) -> int:
        return 1 if self.number == NAME_COUNT else self.number + 1

    @property
    def featured_reference(self) -> dict[str, int | str] | None:
        references = self.references
        return references[0] if references else None

    @property
    def references(self) -> list[dict[str, int | str]]:
        """The Qurʾān references, each with the address of its verse on a public reader (a
        link the person follows, never a request the page makes)."""
        return [
            {**ref, "url": QURAN_READER.format(surah=ref["surah"], ayah=ref["ayah"])}
            for ref in self.quran_references or []
        ]


# The version the cached catalogue pages are checked against (catalogue/page_cache.py): in the
# shared cache, moved by every write to a name, or the rows' state when the cache has none.
CATALOGUE_VERSION = SharedVersion("catalogue", lambda: DivineName.objects.state())


class NameTranslation(models.Model):
    """A name's words in a language other than English (issue 17): curated in the admin, with
    history, and loaded from `fixtures/divine_names.<language>.json` where missing. A field
    left empty is not translated yet: the page shows the English, marked as such
    (`catalogue/translations.py`). A write moves its name's `updated_at` (signals.py), so
    the catalogue's version and every cached page follow."""

    class Language(models.TextChoices):
        TURKISH = "tr", "Türkçe"
        ARABIC = "ar", "العربية"

    name = models.ForeignKey(DivineName, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=Language.choices)
    meaning = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    tawil = models.TextField("taʾwīl (contemplative commentary)", blank=True)
    dhikr = models.CharField(max_length=200, blank=True)
    verse_translation = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name__number", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language"], name="meditation_nametranslation_one_a_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


def minutes(seconds: int) -> int:
    """Whole minutes, rounded half up: 29 s is 0 minutes, 30 s is 1, 90 s is 2.

    Totals sum seconds before rounding, so many short sessions still add up.
    """
    return (seconds + 30) // 60


def time_sat(seconds: int) -> str:
    """A sitting's time in words: seconds under a minute ("45 seconds", "1 second"), else whole
    minutes as `minutes` rounds them ("1 minute", "12 minutes"); never "0 min" for a real one."""
    if seconds < 60:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    whole = minutes(seconds)
    return ngettext("%(count)s minute", "%(count)s minutes", whole) % {"count": whole}


class Mood(models.TextChoices):
    CALM = "calm", _("Calm")
    GRATEFUL = "grateful", _("Grateful")
    HOPEFUL = "hopeful", _("Hopeful")
    JOYFUL = "joyful", _("Joyful")
    TIRED = "tired", _("Tired")
    RESTLESS = "restless", _("Restless")
    HEAVY = "heavy", _("Heavy-hearted")


class Source(models.TextChoices):
    WEB = "web", "Web"
    IMPORT = "import", "Imported"


# What a person may write in an entry (forms and the import check these).
INTENTION_MAX = 500
REFLECTION_MAX = 5000


class MeditationSessionQuerySet(models.QuerySet["MeditationSession"]):
    """Every bulk write of the text keeps the search index current (`search_index`), and every
    bulk write moves `updated_at`, as a save does: the stats cache's fingerprint is the newest
    `updated_at` of a person's entries (journal/stats_cache.py)."""

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[MeditationSession], *args: Any, **kwargs: Any
    ) -> list[MeditationSession]:
        with transaction.atomic(using=self.db):
            created: list[MeditationSession] = super().bulk_create(objs, *args, **kwargs)  # type: ignore[arg-type,assignment]
            search_index.index_entries(JournalToken, created, replace=False)
        return created

    def bulk_update(  # type: ignore[override]
        self, objs: Iterable[MeditationSession], fields: Sequence[str], *args: Any, **kwargs: Any
    ) -> int:
        objs = list(objs)
        now = timezone.now()
        for entry in objs:
            entry.updated_at = now
        written = list(dict.fromkeys([*fields, "updated_at"]))
        with transaction.atomic(using=self.db):
            updated = super().bulk_update(objs, written, *args, **kwargs)  # type: ignore[arg-type]
            if search_index.TEXT_FIELDS & set(fields):
                search_index.index_entries(JournalToken, objs, replace=True)
        return updated

    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault("updated_at", timezone.now())
        if not search_index.TEXT_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            changed = self.model._default_manager.filter(pk__in=ids)
            search_index.index_entries(JournalToken, changed, replace=True)
        return updated

    def active(self) -> MeditationSessionQuerySet:
        return self.filter(deleted_at__isnull=True)

    def in_trash(self) -> MeditationSessionQuerySet:
        return self.filter(deleted_at__isnull=False)

    def in_local_dates(
        self,
        first: datetime.date | None,
        last: datetime.date | None,
        zone: datetime.tzinfo,
    ) -> MeditationSessionQuerySet:
        """Entries started on local days `first` to `last` (both included; None is open).

        A bound at the very ends of the calendar, where a local midnight has no UTC datetime,
        leaves that side open: every entry is after the first day there is.
        """
        entries = self
        if first:
            start = _local_midnight(first, zone)
            if start is not None:
                entries = entries.filter(started_at__gte=start)
        if last:
            end = _local_midnight(last, zone, days_after=1)
            if end is not None:
                entries = entries.filter(started_at__lt=end)
        return entries


def _local_midnight(
    day: datetime.date, zone: datetime.tzinfo, *, days_after: int = 0
) -> datetime.datetime | None:
    """The UTC moment a local day (or the one `days_after` it) begins; None off the calendar."""
    try:
        day += datetime.timedelta(days=days_after)
        local = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        return local.astimezone(datetime.UTC)
    except OverflowError:
        return None


class MeditationSession(models.Model):
    """One meditation: a journal entry. Intention and reflection are encrypted at rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meditation_sessions"
    )
    name = models.ForeignKey(DivineName, on_delete=models.PROTECT, related_name="sessions")
    intention = EncryptedTextField()
    reflection = EncryptedTextField(blank=True)
    mood = models.CharField(max_length=16, choices=Mood.choices, blank=True)
    planned_seconds = models.PositiveIntegerField()
    actual_seconds = models.PositiveIntegerField(null=True, blank=True)
    dhikr_count = models.PositiveIntegerField(default=0)
    dhikr_target = models.PositiveIntegerField(default=33)
    interval_bell_minutes = models.PositiveSmallIntegerField(default=0)
    end_bell = models.BooleanField(default=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    # The command-line tool's session id and user name, kept for imports (de-duplication,
    # and so that every field of the old log can be given back).
    legacy_id = models.CharField(max_length=64, blank=True)
    legacy_user = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeditationSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="meditation_user_newest"),
            models.Index(fields=["deleted_at"], name="meditation_deleted_at"),
            # The journal's list and each of its filters (dates use started_at), the trash,
            # and the stats cache's fingerprint (count, latest change, trashed: index only).
            models.Index(
                fields=["user", "-started_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="meditation_user_active_newest",
            ),
            models.Index(
                fields=["user", "mood", "-started_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="meditation_user_mood_newest",
            ),
            models.Index(
                fields=["user", "name", "-started_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="meditation_user_name_newest",
            ),
            models.Index(
                fields=["user", "-deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="meditation_user_trash",
            ),
            models.Index(
                fields=["user", "updated_at", "deleted_at"], name="meditation_user_changes"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "legacy_id"],
                condition=~models.Q(legacy_id=""),
                name="meditation_unique_legacy_id_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved with its search tokens: a save that writes the text writes them again."""
        adding = self._state.adding
        fields = kwargs.get("update_fields")
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if fields is None or search_index.TEXT_FIELDS & set(fields):
                search_index.index_entries(JournalToken, [self], replace=not adding)

    def get_absolute_url(self) -> str:
        return reverse("meditation:entry_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.ended_at is not None

    def purge_on(self, retention: datetime.timedelta) -> datetime.datetime | None:
        """When an entry in the trash is deleted for good (None if it is not in the trash)."""
        return self.deleted_at + retention if self.deleted_at is not None else None

    @property
    def minutes(self) -> int:
        """Whole minutes actually meditated, or 0 if unfinished."""
        return minutes(self.actual_seconds or 0)

    @property
    def time_sat(self) -> str:
        """The time actually meditated, in words (`time_sat`)."""
        return time_sat(self.actual_seconds or 0)

    @property
    def time_not_recorded(self) -> bool:
        """No duration is known: an entry imported from the old tool, whose log kept none, has
        neither a planned nor an actual time (shown as "time not recorded", never "0 of 0")."""
        return self.planned_seconds == 0 and not self.actual_seconds

    def legacy_record(self) -> dict[str, str | int]:
        """The entry as a row of the command-line tool's session log."""
        return {
            "timestamp": self.started_at.isoformat(),
            "user": self.legacy_user or self.user.email,
            "prompt": self.intention,
            "name_number": self.name.number,
            "name_transliteration": self.name.transliteration,
            "session_id": self.legacy_id or str(self.pk),
        }


class JournalToken(models.Model):
    """One keyed token of an entry's words (`search_index`): never a word, nor its plain hash.

    The owner is repeated from the entry, so that a search reads one index: (user, token)."""

    entry = models.ForeignKey(MeditationSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    token = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["user", "token", "entry"], name="meditation_token_lookup")]

    def __str__(self) -> str:
        return f"token of {self.entry_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")
    EXPIRED = "expired", pgettext_lazy("job status", "Expired")


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
WAITING_NOTICE = _("Waiting for a worker — this is taking longer than usual.")


class Job(models.Model):
    """What every background job has; `meditation.jobs` moves it through its life.

    Each kind also declares, as class attributes, the facts its life depends on.
    """

    # The Celery task that runs a job of this kind, given the job's id.
    task_name: ClassVar[str]
    # The job's error, and the one message shown, when the broker cannot be reached.
    unavailable_error: ClassVar[str]
    # The errors of a stuck job: its worker died while it ran (and it is not queued again),
    # or it stayed queued past the window (no worker ever took it).
    interrupted_error: ClassVar[str]
    never_started_error: ClassVar[str]
    # Whether a failed job's file is deleted (an import's upload), or kept (an export has
    # no file until it is done).
    discards_file_on_failure: ClassVar[bool]
    # What the person is told while a running job's worker has stopped reporting.
    worker_lost_notice: ClassVar[_StrPromise]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # A name in the private storage: an export's result, an import's upload while it runs.
    file = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched by a run at least every JOB_HEARTBEAT_SECONDS (meditation.jobs): it is alive.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @staticmethod
    def lost_worker_condition(now: datetime.datetime) -> models.Q:
        """Running, with no heartbeat (else no start) for JOB_STALE_SECONDS: its worker died.

        The same rule as `lost_worker`, for a query (the sweep, and `jobs.start`)."""
        cutoff = now - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
        silent = (
            models.Q(heartbeat_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, started_at__isnull=True)
        )
        return models.Q(status=JobStatus.RUNNING) & silent

    def lost_worker(self, now: datetime.datetime) -> bool:
        last = self.heartbeat_at or self.started_at
        stale = datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
        return self.status == JobStatus.RUNNING and (last is None or now - last > stale)

    def notice_at(self, now: datetime.datetime) -> str:
        """What to tell the person about a job that is slow to move on at `now`, or "".

        Queued for longer than JOB_WAIT_WARNING_SECONDS: no worker took it yet (a free worker
        takes a job within a second or two). Running with a stale heartbeat: its worker died.
        """
        if self.lost_worker(now):
            return str(self.worker_lost_notice)
        waited = datetime.timedelta(seconds=settings.JOB_WAIT_WARNING_SECONDS)
        if self.status == JobStatus.QUEUED and now - self.created_at > waited:
            return str(WAITING_NOTICE)
        return ""

    @property
    def notice(self) -> str:
        return self.notice_at(timezone.now())


class ExportJob(Job):
    """A file of a user's data (or, for staff, the catalogue or the anonymised dataset)."""

    task_name = "meditation.build_export"
    unavailable_error = (
        "Exports are temporarily unavailable: the background worker cannot be reached. "
        "Nothing was queued; please try again in a few minutes."
    )
    interrupted_error = "The job was interrupted. You can try again."
    never_started_error = "The job never started. You can try again."
    discards_file_on_failure = False
    worker_lost_notice = _(
        "The worker stopped while preparing this; it will be restarted automatically."
    )

    class Kind(models.TextChoices):
        JOURNAL = "journal", _("My data")
        CATALOGUE = "catalogue", _("Names catalogue (legacy CSV)")
        DATASET = "dataset", _("Anonymised dataset")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (spreadsheet)")
        JSON = "json", "JSON"
        MARKDOWN = "md", "Markdown"
        ZIP = "zip", _("ZIP of all three")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.JOURNAL)
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.ZIP)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(Job.Meta):
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_newest")]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"


class ImportJob(Job):
    """An upload of the command-line tool's session log, validated row by row."""

    task_name = "meditation.run_import"
    unavailable_error = (
        "Imports of large files are temporarily unavailable. Nothing was imported; "
        "please try again later."
    )
    # An import cannot be resumed: its upload goes, and the person uploads again.
    interrupted_error = never_started_error = (
        "The import was interrupted and nothing was imported. Upload the log again."
    )
    discards_file_on_failure = True
    worker_lost_notice = _(
        "The worker stopped while importing this log; nothing was imported. "
        "You will need to upload it again."
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"row": n, "outcome": "skipped"|"rejected", "reason": "..."}] — never the row's text.
    report = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"


# --- Learning the names by heart (issue 15) ----------------------------------------------


class Direction(models.TextChoices):
    """What a card shows, and what it asks for."""

    ARABIC = "arabic", "The Arabic → its transliteration and meaning"
    MEANING = "meaning", "The meaning → the name"
    ORDER = "order", "The number ↔ the name (the order of the 99)"


class LearningCard(models.Model):
    """One name in one direction for one person, with its FSRS memory state
    (`meditation/learn/cards.py` reviews it). A card exists once it has been introduced."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_cards"
    )
    name = models.ForeignKey(DivineName, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    # fsrs.Card's fields: state 1 learning, 2 review, 3 relearning; step within learning.
    state = models.PositiveSmallIntegerField(default=1)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    # The person's own date it was introduced on: the daily limit of new cards counts these.
    introduced_on = models.DateField()
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name", "direction"], name="meditation_learningcard_one_per_way"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="meditation_card_user_due"),
            # The newest review, read with the person (learn/progress.fingerprint).
            models.Index(fields=["user", "-last_review"], name="meditation_card_user_reviewed"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.direction})"


class Rating(models.IntegerChoices):
    """FSRS's four grades (fsrs.Rating has the same values)."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class LearningReview(models.Model):
    """One answer to a card: when, on the person's date, and how it was rated."""

    card = models.ForeignKey(LearningCard, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    local_date = models.DateField()  # the practice day, for the streak

    class Meta:
        indexes = [models.Index(fields=["user", "local_date"], name="meditation_review_user_day")]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} on {self.local_date}"


def all_directions() -> list[str]:
    return list(Direction.values)


class LearningPreferences(models.Model):
    """How a person learns: the directions they practise and how many new cards a day."""

    NEW_PER_DAY_MAX = 50

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_preferences"
    )
    directions = models.JSONField(default=all_directions)
    new_per_day = models.PositiveSmallIntegerField(
        "new cards a day", default=5, validators=[MaxValueValidator(NEW_PER_DAY_MAX)]
    )

    def __str__(self) -> str:
        return f"{self.new_per_day} new a day, {', '.join(self.directions)}"
