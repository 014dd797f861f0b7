"""What the names API answers, as pydantic schemas: the OpenAPI document is made from these,
and every answer is validated by them on its way out."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class Reference(Schema):
    surah: int = Field(ge=1, le=114)
    ayah: int = Field(ge=1)
    url: str = Field(description="The verse on a public Qurʾān reader")


class Name(Schema):
    number: int = Field(ge=1, le=99, description="Its place in the order of the 99")
    slug: str
    arabic: str = Field(description="The name in Arabic, with its harakat")
    transliteration: str
    meaning: str
    description: str
    tawil: str = Field(description="Contemplative commentary (taʾwīl)")
    quran_references: list[Reference]
    verse_arabic: str = Field(description="The first reference's verse, in Arabic")
    verse_translation: str = Field(description="Its English translation (Saheeh International)")
    dhikr: str = Field(description='The dhikr in Latin letters ("Yā Raḥmān")')
    dhikr_arabic: str
    pronunciation: str
    phonetics: str
    url: str = Field(description="The name's page on this site")


class NameList(Schema):
    count: int
    query: str | None = Field(description="The search asked for (`q`), or null")
    results: list[Name]


class NameOfTheDay(Schema):
    date: datetime.date = Field(description="The UTC date it is the name of")
    name: Name


class Problem(Schema):
    detail: str


class Invalid(Schema):
    """A parameter refused by its schema (pydantic's errors, as django-ninja gives them)."""

    detail: list[dict[str, object]]


class ReportRow(Schema):
    row: int
    outcome: str = Field(description='"skipped" (already in the journal) or "rejected"')
    reason: str


class ImportReport(Schema):
    id: str
    status: str = Field(description="queued, running, done or failed")
    url: str = Field(description="Where to read this import again (poll it while queued)")
    imported: int
    skipped: int
    rejected: int
    report: list[ReportRow]
    error: str


class Refused(Schema):
    detail: str
    errors: dict[str, list[str]]
