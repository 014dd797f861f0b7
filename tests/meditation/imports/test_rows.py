"""Reading a stored upload: it waits in private storage encrypted, and is read back decrypted."""

import pytest

from meditation import crypto
from meditation.imports import runner
from meditation.models import JobStatus, MeditationSession
from tests.meditation.imports.helpers import SECRET, URL, log, only_job, row
from tests.private_storage import local_path

pytestmark = pytest.mark.django_db


def test_it_keeps_a_waiting_upload_encrypted_and_imports_it(signed_in, user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_INLINE_MAX_BYTES = 100  # a background import...
    data = log(*(row(prompt=f"{SECRET} {n}") for n in range(2000)))
    upload = SimpleUploadedFile("sessions.csv", data, content_type="text/csv")
    signed_in.post(URL, {"file": upload})  # ...whose task is not sent (nothing commits here)
    job = only_job()
    assert job.status == JobStatus.QUEUED
    stored = local_path(job.file).read_bytes()
    assert stored.startswith(crypto.HEAD)
    assert SECRET.encode() not in stored
    assert len(stored) > 2 * crypto.CHUNK  # several frames, read back one at a time

    runner.import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.imported) == (JobStatus.DONE, 2000)
    intentions = {e.intention for e in MeditationSession.objects.filter(user=user)}
    assert intentions == {f"{SECRET} {n}" for n in range(2000)}
