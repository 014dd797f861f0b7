"""Exports and imports end to end on each private storage backend: the file system, and a
storage with no local path (as S3 through django-storages is). What the person meets is the
same on both, and the storage only ever holds ciphertext."""

import io
import zipfile

import pytest
from django.core.management import call_command

from meditation import crypto, private_files
from meditation.exports.tasks import expire_exports
from meditation.models import ExportJob, ImportJob, JobStatus, MeditationSession
from tests.factories import ExportJobFactory, ImportJobFactory, make_entries
from tests.meditation.exports.helpers import download, request_export
from tests.meditation.imports.helpers import SECRET, log, row, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_backend")]


def stored_bytes(name):
    with private_files.storage().open(name, "rb") as raw:
        return raw.read()


class TestExports:
    def test_an_export_is_built_stored_encrypted_and_downloaded(self, signed_in, user):
        make_entries(user, 30, intention=SECRET)
        request_export(signed_in, "zip")
        job = ExportJob.objects.get()
        assert job.status == JobStatus.DONE
        stored = stored_bytes(job.file)
        assert stored.startswith(crypto.HEAD)
        assert SECRET.encode() not in stored
        body, response = download(signed_in, job)
        assert int(response["Content-Length"]) == job.size == len(body)
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert archive.read("journal.csv").decode("utf-8-sig").count(SECRET) == 30

    def test_a_retried_export_replaces_its_file(self, user):
        from meditation.exports.tasks import build_export

        make_entries(user, 3)
        job = ExportJobFactory(owner=user, format="csv")
        build_export(str(job.pk))
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
        job.refresh_from_db()
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
        build_export(str(job.pk))
        job.refresh_from_db()
        assert job.status == JobStatus.DONE
        assert private_files.storage().listdir("exports")[1] == [f"{job.pk}.csv"]
        assert private_files.open_plain(job.file).read().count(b",intention ") == 3

    def test_an_expired_export_is_deleted_from_the_storage(self, user):
        from meditation.exports.tasks import build_export

        job = ExportJobFactory(owner=user)
        build_export(str(job.pk))
        job.refresh_from_db()
        ExportJob.objects.filter(pk=job.pk).update(expires_at=job.finished_at)
        assert expire_exports() == 1
        assert not private_files.exists(job.file)

    def test_a_changed_file_is_refused_before_the_first_byte(self, signed_in, user):
        make_entries(user, 3)
        request_export(signed_in, "csv")
        job = ExportJob.objects.get()
        stored = bytearray(stored_bytes(job.file))
        stored[-10] ^= 1
        private_files.storage().delete(job.file)
        private_files.storage().save(job.file, io.BytesIO(bytes(stored)))
        assert signed_in.get(f"/exports/{job.pk}/download/").status_code == 410


class TestImports:
    def test_a_large_upload_waits_encrypted_then_is_imported_and_deleted(
        self, signed_in, user, settings
    ):
        settings.IMPORT_INLINE_MAX_BYTES = 100  # to the worker (run at once in tests)
        seen = []
        real_save = private_files.atomic_write

        def watching(name):
            seen.append(name)
            return real_save(name)

        data = log(*[row(prompt=SECRET) for _ in range(5)])
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(private_files, "atomic_write", watching)
            upload(signed_in, data)
        job = ImportJob.objects.get()
        assert (job.status, job.imported) == (JobStatus.DONE, 5)
        assert seen == [f"imports/{job.pk}.csv"]
        assert not private_files.exists(seen[0])  # deleted once imported
        intentions = MeditationSession.objects.filter(user=user).values_list("intention", flat=True)
        assert list(intentions) == [SECRET] * 5

    def test_a_waiting_upload_is_kept_encrypted(self, user):
        data = log(row(prompt=SECRET))
        job = ImportJobFactory(owner=user, upload=data)
        stored = stored_bytes(job.file)
        assert stored.startswith(crypto.HEAD)
        assert SECRET.encode() not in stored
        assert private_files.open_plain(job.file).read() == data


def test_rotating_the_keys_rewrites_the_stored_files(user, settings):
    data = log(row())
    job = ImportJobFactory(owner=user, upload=data)
    before = stored_bytes(job.file)
    old, new = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    after = stored_bytes(job.file)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can go: the file opens without it
    assert private_files.open_plain(job.file).read() == data
