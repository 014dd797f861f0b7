"""`manage.py backup` and `manage.py restore`: a round trip keeps everything, bad archives change
nothing.

The restore replaces the whole database, so these tests are transactional and work on both
SQLite (the test database is a file) and Postgres (CI's second stage).
"""

import io
import json
import os
import sqlite3
import stat
import subprocess
import tarfile
from contextlib import closing

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from accounts.models import AuditEvent, User
from aysekai_site.backups import BackupError, database
from aysekai_site.backups.manifest import DATABASE_MEMBERS
from meditation import private_files
from meditation.models import MeditationSession
from tests.accounts.helpers import sign_in
from tests.factories import MeditationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

INTENTION = "to meet each person today with patience"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    # An earlier transactional test may have flushed the names away.
    call_command("load_names", verbosity=0)
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.VAR_DIR = tmp_path / "var"


def backup(path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def restore(path, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, stderr=out, **options)
    return out.getvalue()


def write_private(relative: str, data: bytes) -> None:
    with private_files.atomic_write(relative) as out:
        out.write(data)


def audit_trail() -> list[tuple[int, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "action"))


def members(path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def repack(path, dest, data: dict[str, bytes]) -> None:
    with tarfile.open(dest, "w:gz") as tar:
        for name, content in data.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def database_member() -> str:
    return DATABASE_MEMBERS[connection.vendor]


def test_it_round_trips_users_journal_audit_events_and_private_files(tmp_path):
    user = UserFactory()
    entry = MeditationSessionFactory(user=user, intention=INTENTION)
    assert sign_in(Client(), user.email).status_code == 302  # audits a sign-in
    export = os.urandom(4096)
    write_private("exports/journal.zip", export)
    trail = audit_trail()
    archive = tmp_path / "site.tar.gz"

    output = backup(archive)

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert "FIELD_ENCRYPTION_KEYS" in output
    assert "separately" in output
    manifest = json.loads(members(archive)["manifest.json"])
    assert manifest["vendor"] == connection.vendor
    assert manifest["file_count"] == 1
    assert manifest["migrations"]["accounts"].startswith("00")
    assert set(manifest["checksums"]) == {database_member(), "private/exports/journal.zip"}

    # Everything changes after the backup; the restore must undo all of it.
    UserFactory(email="later@example.com")
    user.set_password("a different passphrase entirely")
    user.save()
    entry_id = entry.pk
    entry.delete()
    assert sign_in(Client(), user.email).status_code == 200  # a failed sign-in, audited
    write_private("exports/journal.zip", b"overwritten")
    write_private("exports/later.zip", b"made after the backup")

    output = restore(archive, yes=True)

    assert "Restored: users: 1, journal sessions: 1" in output
    assert list(User.objects.values_list("email", flat=True)) == [user.email]
    assert MeditationSession.objects.get(pk=entry_id).intention == INTENTION
    assert audit_trail() == trail
    root = django_settings.PRIVATE_STORAGE_ROOT
    assert private_files.open_plain("exports/journal.zip").read() == export
    assert not (root / "exports" / "later.zip").exists()
    # The old password works again, through the real sign-in page.
    assert sign_in(Client(), user.email).status_code == 302


def test_it_writes_to_var_backups_by_default_and_restores_an_archive_without_files(tmp_path):
    MeditationSessionFactory(intention=INTENTION)
    call_command("backup", stdout=io.StringIO())
    [archive] = (tmp_path / "var" / "backups").glob("aysekai-*Z.tar.gz")
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert "private/" not in " ".join(members(archive))
    write_private("exports/later.zip", b"made after the backup")

    restore(archive, yes=True)

    assert MeditationSession.objects.get().intention == INTENTION
    assert list(django_settings.PRIVATE_STORAGE_ROOT.iterdir()) == []


def test_it_refuses_without_yes_and_changes_nothing(tmp_path):
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    later = UserFactory()
    write_private("exports/later.zip", b"made after the backup")
    out = io.StringIO()

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=out)

    assert "Restoring replaces:" in out.getvalue()
    assert "users: 1" in out.getvalue()
    assert User.objects.filter(pk=later.pk).exists()
    assert (django_settings.PRIVATE_STORAGE_ROOT / "exports" / "later.zip").exists()


@pytest.mark.parametrize("damaged", ["database", "private file"])
def test_it_refuses_a_tampered_archive(tmp_path, damaged):
    write_private("exports/journal.zip", b"the real export")
    archive, tampered = tmp_path / "site.tar.gz", tmp_path / "tampered.tar.gz"
    backup(archive)
    data = members(archive)
    name = database_member() if damaged == "database" else "private/exports/journal.zip"
    data[name] = data[name][:-1] + bytes([data[name][-1] ^ 1])
    repack(archive, tampered, data)
    later = UserFactory()

    with pytest.raises(CommandError, match=f"Checksum mismatch for {name}"):
        restore(tampered, yes=True)

    assert User.objects.filter(pk=later.pk).exists()


def test_it_refuses_an_archive_from_another_database_vendor(tmp_path):
    archive, foreign = tmp_path / "site.tar.gz", tmp_path / "foreign.tar.gz"
    backup(archive)
    data = members(archive)
    manifest = json.loads(data["manifest.json"])
    # As the other kind of site would have written it: its vendor and its database member.
    manifest["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    other = DATABASE_MEMBERS[manifest["vendor"]]
    data[other] = data.pop(database_member())
    manifest["checksums"][other] = manifest["checksums"].pop(database_member())
    data["manifest.json"] = json.dumps(manifest).encode()
    repack(archive, foreign, data)

    with pytest.raises(CommandError, match=f"holds a {manifest['vendor']} database"):
        restore(foreign, yes=True)


def test_it_refuses_an_archive_from_a_newer_version_of_the_site(tmp_path):
    archive, newer = tmp_path / "site.tar.gz", tmp_path / "newer.tar.gz"
    backup(archive)
    data = members(archive)
    manifest = json.loads(data["manifest.json"])
    manifest["migrations"]["accounts"] = "9999_from_the_future"
    data["manifest.json"] = json.dumps(manifest).encode()
    repack(archive, newer, data)

    with pytest.raises(CommandError, match=r"newer version .* accounts\.9999_from_the_future"):
        restore(newer, yes=True)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda manifest: b"{not json", "not valid JSON"),
        (lambda manifest: {**manifest, "format_version": 2}, "format 2 is not supported"),
        (lambda manifest: {**manifest, "file_count": 7}, "file count does not match"),
        (lambda manifest: {**manifest, "checksums": ["a list"]}, "checksums is missing"),
    ],
)
def test_it_refuses_a_malformed_manifest(tmp_path, edit, message):
    archive, malformed = tmp_path / "site.tar.gz", tmp_path / "malformed.tar.gz"
    backup(archive)
    data = members(archive)
    edited = edit(json.loads(data["manifest.json"]))
    data["manifest.json"] = edited if isinstance(edited, bytes) else json.dumps(edited).encode()
    repack(archive, malformed, data)

    with pytest.raises(CommandError, match=message):
        restore(malformed, yes=True)


def test_it_refuses_to_replace_an_sqlite_database_another_process_holds_open(tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: Postgres restores in one transaction under its own locks")
    monkeypatch.setattr(database, "IN_USE_TIMEOUT", 0.1)
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    later = UserFactory()
    # As a running web or worker process would: a connection that has read and stays open.
    with closing(sqlite3.connect(connection.settings_dict["NAME"])) as other:
        other.execute("SELECT count(*) FROM accounts_user").fetchall()
        with pytest.raises(CommandError, match="in use by another process"):
            restore(archive, yes=True)

    assert User.objects.filter(pk=later.pk).exists()


def test_it_refuses_missing_corrupt_and_foreign_files(tmp_path):
    with pytest.raises(CommandError, match="no backup file"):
        restore(tmp_path / "missing.tar.gz", yes=True)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"this is not a gzip file at all")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        restore(garbage, yes=True)
    archive, truncated = tmp_path / "site.tar.gz", tmp_path / "truncated.tar.gz"
    backup(archive)
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="not a readable backup archive"):
        restore(truncated, yes=True)
    escaping = tmp_path / "escaping.tar.gz"
    repack(archive, escaping, {"private/../../etc/cron.d/x": b"* * * * * root true"})
    with pytest.raises(CommandError, match="unexpected member"):
        restore(escaping, yes=True)


def test_it_says_when_the_postgres_client_tools_are_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump was not found"):
        database.pg_tool("pg_dump")
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="pg_dump was not found"):
            backup(tmp_path / "site.tar.gz")


def test_it_never_puts_the_secret_key_or_the_encryption_keys_in_an_archive(tmp_path):
    canary = "canary-display-name-4711"
    UserFactory(display_name=canary)
    MeditationSessionFactory(intention=INTENTION)
    write_private("exports/journal.zip", b"an export")
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    data = members(archive)
    if connection.vendor == "postgresql":
        # The custom format is compressed: read it as the SQL it would run.
        dump = tmp_path / "database.pgdump"
        dump.write_bytes(data[database_member()])
        sql = subprocess.run(
            [database.pg_tool("pg_restore"), "--file=-", str(dump)],
            capture_output=True,
            check=True,
        ).stdout
        data["database.sql"] = sql
    haystack = b"\n".join([archive.read_bytes(), *data.values()])

    assert canary.encode() in haystack  # the search does see the database's contents
    assert INTENTION.encode() not in haystack  # journal text is ciphertext
    secrets = [django_settings.SECRET_KEY, *django_settings.FIELD_ENCRYPTION_KEYS]
    for secret in secrets:
        assert secret.encode() not in haystack


def test_it_warns_when_the_keys_cannot_read_the_restored_journal(tmp_path, settings):
    MeditationSessionFactory(intention=INTENTION)
    write_private("exports/journal.json", INTENTION.encode())
    archive = tmp_path / "site.tar.gz"
    backup(archive)
    settings.FIELD_ENCRYPTION_KEYS = ["Qk1xR0pZc2VKb3pPc3V0b2VxT0R0cGZ4Z0VqZ3dGb2E="]

    output = restore(archive, yes=True)

    assert "1 sampled journal entries cannot be decrypted" in output
    assert "1 private file(s) (exports, uploads) cannot be decrypted" in output


def test_it_holds_no_journal_text_from_exports_or_waiting_uploads(tmp_path):
    from meditation.exports.tasks import build_export
    from tests.factories import ExportJobFactory, ImportJobFactory
    from tests.meditation.imports.helpers import log, row

    user = UserFactory()
    reflection = "the sound of rain on the courtyard"
    MeditationSessionFactory(user=user, intention=INTENTION, reflection=reflection)
    for fmt in ("csv", "json", "md", "zip"):
        build_export(str(ExportJobFactory(owner=user, format=fmt).pk))
    waiting = "a prompt still waiting to be imported"
    ImportJobFactory(owner=user, upload=log(row(prompt=waiting)))
    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out, stderr=out)
    data = members(archive)

    assert len([name for name in data if name.startswith("private/")]) == 5
    haystack = b"\n".join(data.values())
    for text in (INTENTION, reflection, waiting):
        assert text.encode() not in haystack
    # So the notice is true: without the keys, this journal text cannot be read.
    assert "journal text in this backup cannot be read" in out.getvalue()
    assert "not encrypted" not in out.getvalue()


def test_it_says_so_when_files_from_before_encryption_are_in_clear(tmp_path):
    legacy = django_settings.PRIVATE_STORAGE_ROOT / "exports" / "old.csv"
    legacy.parent.mkdir(parents=True)
    legacy.write_text(f"intention\n{INTENTION}\n")  # as the previous version wrote exports
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", output=str(tmp_path / "site.tar.gz"), stdout=out, stderr=err)

    assert "1 private file(s) in this backup are not encrypted" in err.getvalue()
    assert "rotate_field_keys" in err.getvalue()
    assert "cannot be read" not in out.getvalue()  # no longer claimed
    silent = io.StringIO()
    call_command("backup", output=str(tmp_path / "quiet.tar.gz"), verbosity=0, stderr=silent)
    assert "not encrypted" in silent.getvalue()  # cron hears of it too


def test_with_private_files_in_a_remote_storage_it_backs_up_the_database_and_says_so(
    tmp_path, settings
):
    from tests.private_storage import MEMORY

    settings.STORAGES = {**settings.STORAGES, "private": MEMORY}
    write_private("exports/kept-elsewhere.csv", b"in the bucket")
    err = io.StringIO()
    call_command("backup", output=str(tmp_path / "b.tar.gz"), stdout=io.StringIO(), stderr=err)
    assert "not in this archive" in err.getvalue()
    assert not [name for name in members(tmp_path / "b.tar.gz") if "kept-elsewhere" in name]
    restore(tmp_path / "b.tar.gz", yes=True)
    assert private_files.open_plain("exports/kept-elsewhere.csv").read() == b"in the bucket"
