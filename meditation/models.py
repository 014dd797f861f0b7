"""The catalogue of the 99 Beautiful Names."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from .text import ARABIC_SCRIPT_VALIDATOR, validate_quran_references

NAME_COUNT = 99


class DivineNameQuerySet(models.QuerySet["DivineName"]):
    def of_the_day(self, day: datetime.date) -> DivineName | None:
        return self.filter(number=number_of_the_day(day)).first()


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
    pronunciation = models.CharField(max_length=200, blank=True)
    phonetics = models.CharField(max_length=200, blank=True)

    objects = DivineNameQuerySet.as_manager()

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
    def previous_number(self) -> int:
        return NAME_COUNT if self.number == 1 else self.number - 1

    @property
    def next_number(self) -> int:
        return 1 if self.number == NAME_COUNT else self.number + 1

    @property
    def featured_reference(self) -> dict[str, int] | None:
        return self.quran_references[0] if self.quran_references else None
