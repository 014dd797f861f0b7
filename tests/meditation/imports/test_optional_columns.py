"""The three columns the `aysekai` command adds after the old six (reflection, seconds,
dhikr_count): imported when present, in a plain or an encrypted log; an old log without them
imports as before; bad values are rejected with the column named."""

import datetime
import json

import pytest
from cryptography.fernet import Fernet

from meditation.imports.upload import COLUMNS, OPTIONAL_COLUMNS
from meditation.journal.search import search_text
from meditation.models import ImportJob, MeditationSession
from tests.meditation.imports.helpers import log, reasons, row, upload

pytestmark = pytest.mark.django_db
EVERY = (*COLUMNS, *OPTIONAL_COLUMNS)


def test_the_reflection_time_and_count_are_imported(signed_in, user):
    data = log(row(reflection="quiet\nthen grateful", seconds="600", dhikr_count="99"),
               header=EVERY)  # fmt: skip
    upload(signed_in, data)
    entry = MeditationSession.objects.get(user=user)
    assert entry.reflection == "quiet\nthen grateful"
    assert (entry.actual_seconds, entry.dhikr_count) == (600, 99)
    assert entry.ended_at - entry.started_at == datetime.timedelta(seconds=600)
    assert (
        search_text(MeditationSession.objects.filter(user=user), "grateful", user.pk).count() == 1
    )


def test_an_old_log_imports_as_before(signed_in, user):
    upload(signed_in, log(row()))
    entry = MeditationSession.objects.get(user=user)
    assert (entry.reflection, entry.actual_seconds, entry.dhikr_count) == ("", 0, 0)


def test_empty_optional_values_are_none(signed_in, user):
    upload(signed_in, log(row(reflection="", seconds="", dhikr_count=""), header=EVERY))
    assert MeditationSession.objects.get(user=user).actual_seconds == 0


@pytest.mark.parametrize(("fields", "reason"), [
    ({"seconds": "-5"}, "seconds is not a whole number from 0 to 36,000"),
    ({"seconds": "36001"}, "seconds is not a whole number from 0 to 36,000"),
    ({"dhikr_count": "١٢"}, "dhikr_count is not a whole number"),
    ({"reflection": "x" * 5001}, "reflection is longer than 5000 characters"),
])  # fmt: skip
def test_bad_optional_values_reject_the_row(signed_in, user, fields, reason):
    upload(signed_in, log(row(**fields), header=EVERY))
    job = ImportJob.objects.get(owner=user)
    assert any(reason in r for r in reasons(job).values())
    assert not MeditationSession.objects.exists()


def test_an_encrypted_log_carries_them_too(signed_in, user):
    key = Fernet.generate_key()
    entry = {**row(reflection="still", seconds="120", dhikr_count="33"), "name_number": 1}
    line = Fernet(key).encrypt(json.dumps(entry).encode()).hex()
    upload(signed_in, (line + "\n").encode(), key=key)
    imported = MeditationSession.objects.get(user=user)
    assert (imported.reflection, imported.actual_seconds, imported.dhikr_count) == (
        "still",
        120,
        33,
    )
