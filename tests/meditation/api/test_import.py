"""POST /api/import/ with a personal token: the same importer and report as the web import,
idempotent, scoped, audited; no CORS; another person's import is a 404."""

import json

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import personal_tokens
from accounts.models import AuditEvent, PersonalToken
from meditation.models import ImportJob, MeditationSession
from tests.meditation.imports.helpers import log, row

pytestmark = pytest.mark.django_db
URL = "/api/import/"


@pytest.fixture
def secret(user):
    return personal_tokens.make(user, "laptop")[1]


def push(data, secret, key=None, **extra):
    files = {"file": SimpleUploadedFile("sessions.log", data, content_type="text/csv")}
    if key is not None:
        files["key"] = SimpleUploadedFile(".key", key)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client().post(URL, files, **headers, **extra)


def test_a_push_imports_the_log_and_reports_as_the_web_import(user, secret):
    rows = [row(), row(prompt="gratitude", name_number="2", name_transliteration="Ar-Rahim")]
    response = push(log(*rows), secret)
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["status"] == "done"
    assert (report["imported"], report["skipped"], report["rejected"]) == (2, 0, 0)
    job = ImportJob.objects.get(owner=user)
    assert report["url"] == f"/api/import/{job.pk}/"
    assert {e.intention for e in MeditationSession.objects.filter(user=user)} == {
        "patience with my family", "gratitude"}  # fmt: skip
    assert "Access-Control-Allow-Origin" not in response
    again = push(log(*rows), secret)  # the same log again: nothing twice
    assert json.loads(again.content)["imported"] == 0
    assert json.loads(again.content)["skipped"] == 2
    assert MeditationSession.objects.filter(user=user).count() == 2
    used = AuditEvent.objects.filter(action="token_used")
    assert used.count() == 2
    assert AuditEvent.objects.filter(action="import_requested", metadata__via="api").count() == 2
    assert PersonalToken.objects.get().last_used_at is not None


def test_the_report_can_be_read_again_by_its_owner_only(user, other_user, secret):
    response = push(log(row(name_number="100")), secret)
    report = json.loads(response.content)
    assert report["rejected"] == 1
    assert report["report"][0]["outcome"] == "rejected"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    read = Client().get(report["url"], **headers)
    assert json.loads(read.content) == report
    _, theirs = personal_tokens.make(other_user, "theirs")
    assert Client().get(report["url"], HTTP_AUTHORIZATION=f"Bearer {theirs}").status_code == 404
    assert Client().get("/api/import/not-a-uuid/", **headers).status_code == 404


def test_an_encrypted_log_imports_with_its_key(user, secret):
    key = Fernet.generate_key()
    line = Fernet(key).encrypt(json.dumps({**row(), "name_number": 1}).encode()).hex()
    response = push((line + "\n").encode(), secret, key=key)
    assert json.loads(response.content)["imported"] == 1


def test_a_file_the_importer_refuses_is_a_400_with_its_reasons(user, secret):
    response = push(b"", secret)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["detail"] == "The file is empty."
    assert body["errors"]["file"] == ["The file is empty."]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("token", "status", "detail"), [
    (None, 401, "Give a personal token"),
    ("ays_wrong", 401, "not one of ours"),
])  # fmt: skip
def test_without_a_good_token_nothing_is_imported(user, token, status, detail):
    response = push(log(row()), token)
    assert response.status_code == status
    assert detail in json.loads(response.content)["detail"]
    assert response["WWW-Authenticate"] == "Bearer"
    assert not MeditationSession.objects.exists()


def test_a_revoked_token_or_one_without_the_scope_is_refused(user, secret):
    token = PersonalToken.objects.get()
    token.scope = "other"
    token.save()
    response = push(log(row()), secret)
    assert response.status_code == 403
    assert "may not import" in json.loads(response.content)["detail"]
    token.scope = "import"
    token.revoked_at = token.created_at
    token.save()
    assert push(log(row()), secret).status_code == 401
    assert AuditEvent.objects.filter(action="token_refused").count() == 2
    assert not MeditationSession.objects.exists()


def test_another_kind_of_authorization_is_not_a_token(user):
    files = {"file": SimpleUploadedFile("s.log", log(row()))}
    response = Client().post(URL, files, HTTP_AUTHORIZATION="Basic YTpi")
    assert response.status_code == 401
    assert not MeditationSession.objects.exists()


def test_a_session_cookie_is_not_a_token(signed_in):
    response = signed_in.post(URL, {"file": SimpleUploadedFile("s.log", log(row()))})
    assert response.status_code == 401


def test_the_import_is_in_the_openapi_document_with_its_security():
    schema = json.loads(Client().get("/api/openapi.json").content)
    operation = schema["paths"]["/api/import/"]["post"]
    assert operation["security"]
    assert "GET" in Client().get("/api/").content.decode()
