"""Export files are encrypted at rest, decrypted while the download streams (issue 11).

Through the real URLs: the file on disk holds none of the journal, the download gives back the
exact plaintext in every format, key rotation keeps old files readable, and a damaged file is
a friendly page and a logged error, never a 500 or half a file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import shutil
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent
from meditation import crypto
from meditation.models import ExportJob
from tests.factories import ExportJobFactory, MeditationSessionFactory, make_entries
from tests.meditation.helpers import committed
from tests.private_storage import local_path

from .helpers import download, request_export

pytestmark = pytest.mark.django_db

INTENTION = "to forgive my brother Yusuf before the winter"
REFLECTION = "a warmth behind the sternum, then tears"


def frames(path) -> list[bytes]:
    """The tokens of a container file, read by its documented layout."""
    raw = path.read_bytes()
    assert raw.startswith(b"AYSEKAI-SEALED\n\x01")
    tokens, offset = [], 16
    while offset < len(raw):
        length = int.from_bytes(raw[offset : offset + 4], "big")
        tokens.append(raw[offset + 4 : offset + 4 + length])
        offset += 4 + length
    assert offset == len(raw)
    return tokens


def exported(client, user, fmt):
    MeditationSessionFactory(user=user, intention=INTENTION, reflection=REFLECTION)
    request_export(client, fmt)
    return ExportJob.objects.get()


def on_disk(job) -> bytes:
    return local_path(job.file).read_bytes()


def unreadable_page(response) -> bool:
    page = response.content.decode()
    return response.status_code == 410 and "cannot be downloaded" in page and "Error" not in page


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "zip"])
def test_it_keeps_no_journal_text_on_disk(signed_in, user, fmt):
    job = exported(signed_in, user, fmt)
    data = on_disk(job)
    assert data.startswith(crypto.HEAD)
    for secret in (INTENTION, REFLECTION, user.email, "Yusuf", "sternum"):
        assert secret.encode() not in data
        assert secret.encode("utf-16-le") not in data
    assert not zipfile.is_zipfile(io.BytesIO(data))
    # The recorded size and SHA-256 are the plaintext's: what the person downloads and checks.
    assert job.size < len(data)
    assert job.sha256 != hashlib.sha256(data).hexdigest()


def test_it_downloads_the_exact_csv(signed_in, user):
    job = exported(signed_in, user, "csv")
    body, response = download(signed_in, job)
    assert hashlib.sha256(body).hexdigest() == job.sha256
    (record,) = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    assert (record["intention"], record["reflection"]) == (INTENTION, REFLECTION)
    assert response["Content-Type"].startswith("text/csv")


def test_it_downloads_the_exact_json(signed_in, user):
    job = exported(signed_in, user, "json")
    body, _ = download(signed_in, job)
    (session,) = json.loads(body)["sessions"]
    assert (session["intention"], session["reflection"]) == (INTENTION, REFLECTION)


def test_it_downloads_the_exact_markdown(signed_in, user):
    job = exported(signed_in, user, "md")
    body, _ = download(signed_in, job)
    text = body.decode()
    assert text.startswith("# Aysekai journal")
    assert INTENTION in text
    assert REFLECTION in text


def test_it_downloads_a_zip_whose_three_files_parse(signed_in, user):
    job = exported(signed_in, user, "zip")
    body, response = download(signed_in, job)
    assert int(response["Content-Length"]) == len(body) == job.size
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert json.loads(archive.read("journal.json"))["sessions"][0]["intention"] == INTENTION
    rows = list(csv.DictReader(io.StringIO(archive.read("journal.csv").decode("utf-8-sig"))))
    assert rows[0]["reflection"] == REFLECTION
    assert REFLECTION in archive.read("journal.md").decode()


class TestKeyRotation:
    def test_it_still_downloads_old_files_after_a_new_first_key(self, signed_in, user, settings):
        job = exported(signed_in, user, "json")
        settings.FIELD_ENCRYPTION_KEYS = [
            Fernet.generate_key().decode(),
            *settings.FIELD_ENCRYPTION_KEYS,
        ]
        body, _ = download(signed_in, job)
        assert json.loads(body)["sessions"][0]["reflection"] == REFLECTION
        # New files are written with the new first key.
        request_export(signed_in, "csv")
        new = ExportJob.objects.exclude(pk=job.pk).get()
        with open(local_path(new.file), "rb") as raw:
            assert crypto.key_state(raw) == "current"

    def test_rotate_field_keys_reencrypts_files_so_the_old_key_can_go(
        self, signed_in, user, settings, capsys
    ):
        job = exported(signed_in, user, "zip")
        before = on_disk(job)
        new_key = Fernet.generate_key().decode()
        settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
        call_command("rotate_field_keys")
        out = capsys.readouterr().out
        assert "Re-encrypted 1 private file(s)" in out
        assert on_disk(job) != before
        settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old keys are gone
        body, _ = download(signed_in, job)
        assert hashlib.sha256(body).hexdigest() == job.sha256
        # Run again: nothing left to do.
        call_command("rotate_field_keys")
        assert "Re-encrypted 0 private file(s) (1 already" in capsys.readouterr().out

    def test_without_rotation_a_removed_key_is_a_friendly_page(
        self, signed_in, user, settings, caplog
    ):
        job = exported(signed_in, user, "csv")
        settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with caplog.at_level(logging.ERROR, logger="meditation.exports.views"):
            response = signed_in.get(f"/exports/{job.pk}/download/")
        assert unreadable_page(response)
        assert "FIELD_ENCRYPTION_KEYS" in caplog.text  # the operator is told why

    def test_rotate_field_keys_encrypts_files_written_before_encryption(
        self, signed_in, user, capsys
    ):
        job = exported(signed_in, user, "csv")
        body, _ = download(signed_in, job)
        local_path(job.file).write_bytes(body)  # as the previous version left it
        assert unreadable_page(signed_in.get(f"/exports/{job.pk}/download/"))
        call_command("rotate_field_keys")
        assert "Re-encrypted 1 private file(s)" in capsys.readouterr().out
        assert INTENTION.encode() not in on_disk(job)
        assert download(signed_in, job)[0] == body

    def test_rotate_field_keys_reports_a_file_no_key_opens(self, signed_in, user, settings):
        job = exported(signed_in, user, "csv")
        path = local_path(job.file)
        damaged = bytearray(path.read_bytes())
        damaged[-10] ^= 0x01
        path.write_bytes(bytes(damaged))
        settings.FIELD_ENCRYPTION_KEYS = [
            Fernet.generate_key().decode(),
            *settings.FIELD_ENCRYPTION_KEYS,
        ]
        with pytest.raises(CommandError, match="1 private file"):
            call_command("rotate_field_keys")
        assert on_disk(job) == bytes(damaged)  # left as it was


def flip_byte_in_second_frame(path) -> None:
    data = bytearray(path.read_bytes())
    first = int.from_bytes(data[16:20], "big")
    data[16 + 4 + first + 4 + 100] ^= 0x01
    path.write_bytes(bytes(data))


def drop_last_frame(path) -> None:
    data = path.read_bytes()
    tokens = frames(path)
    path.write_bytes(data[: len(data) - len(tokens[-1]) - 4])


def swap_frames(path) -> None:
    tokens = frames(path)
    tokens[0], tokens[1] = tokens[1], tokens[0]
    framed = b"".join(len(t).to_bytes(4, "big") + t for t in tokens)
    path.write_bytes(crypto.HEAD + framed)


class TestTampering:
    @pytest.mark.parametrize(
        "tamper",
        [flip_byte_in_second_frame, drop_last_frame, swap_frames,
         lambda path: path.write_bytes(path.read_bytes() + b"\x00\x00\x00\x10more"),
         lambda path: path.write_bytes(b"AYSEKAI-SEALED\n\x07" + path.read_bytes()[16:]),
         lambda path: path.write_bytes(path.read_bytes()[:16] + b"\xff\xff\xff\xff")],
        ids=["a flipped byte", "the last frame dropped", "frames swapped", "data after the end",
             "an unknown version", "an impossible length"],
    )  # fmt: skip
    def test_it_refuses_a_tampered_file_with_a_page_and_a_logged_error(
        self, signed_in, user, caplog, tamper
    ):
        make_entries(user, 120, reflection="long " * 400)  # several frames
        request_export(signed_in, "json")
        job = ExportJob.objects.get()
        assert len(frames(local_path(job.file))) > 2
        tamper(local_path(job.file))
        with caplog.at_level(logging.ERROR, logger="meditation.exports.views"):
            response = signed_in.get(f"/exports/{job.pk}/download/")
        assert unreadable_page(response)
        assert not response.streaming  # not a byte of a file that failed its check
        assert f"export {job.pk} cannot be read" in caplog.text
        assert not AuditEvent.objects.filter(action="export_downloaded").exists()

    def test_it_refuses_another_persons_file_put_in_its_place(self, signed_in, user, other_user):
        mine = exported(signed_in, user, "csv")
        theirs = ExportJobFactory(owner=other_user)
        MeditationSessionFactory(user=other_user, intention="their private words")
        with committed():
            from meditation.exports.tasks import build_export

            build_export(str(theirs.pk))
        theirs.refresh_from_db()
        shutil.copyfile(local_path(theirs.file), local_path(mine.file))
        response = signed_in.get(f"/exports/{mine.pk}/download/")
        assert unreadable_page(response)
        assert b"their private words" not in response.content


class TestMemory:
    def test_writer_and_reader_hold_one_chunk_at_a_time(self, signed_in, user, monkeypatch):
        make_entries(user, 400, reflection="a long quiet reflection " * 60)  # ~600 KB of JSON
        held = {"writer": 0, "reader": 0}
        write, next_frame = crypto.SealingWriter.write, crypto.SealedReader._next_frame

        def writer_spy(self, data):
            written = write(self, data)
            held["writer"] = max(held["writer"], len(self._buffer))
            return written

        def reader_spy(self):
            next_frame(self)
            held["reader"] = max(held["reader"], len(self._plain))

        monkeypatch.setattr(crypto.SealingWriter, "write", writer_spy)
        monkeypatch.setattr(crypto.SealedReader, "_next_frame", reader_spy)
        request_export(signed_in, "json")
        job = ExportJob.objects.get()
        tokens = frames(local_path(job.file))
        sizes = [len(crypto.fernet().decrypt(t)) - 41 for t in tokens]
        assert len(sizes) >= 8
        assert all(size == crypto.CHUNK for size in sizes[:-1])
        assert 0 < sizes[-1] <= crypto.CHUNK
        assert sum(sizes) == job.size
        assert all(len(t) <= crypto.MAX_TOKEN for t in tokens)

        response = signed_in.get(f"/exports/{job.pk}/download/")
        pieces = [len(piece) for piece in response.streaming_content]
        assert sum(pieces) == job.size
        assert max(pieces) <= crypto.CHUNK
        assert 0 < held["writer"] <= crypto.CHUNK
        assert held["reader"] == crypto.CHUNK
