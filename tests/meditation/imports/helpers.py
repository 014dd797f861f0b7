"""Building session logs and uploading them, for the import tests."""

import csv
import io
import json
import uuid

from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meditation.models import ImportJob
from tests.meditation.helpers import committed

URL = "/journal/import/"
COLUMNS = ["timestamp", "user", "prompt", "name_number", "name_transliteration", "session_id"]
SECRET = "my hidden longing for patience"


def row(**fields):
    values = {
        "timestamp": "2024-03-01T07:30:00.123456",
        "user": "amina",
        "prompt": "patience with my family",
        "name_number": "1",
        "name_transliteration": "Ar-Rahman",
        "session_id": str(uuid.uuid4()),
    }
    values.update(fields)
    return values


def log(*rows, header=COLUMNS):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client, data, name="sessions.csv", follow=False, key=None):
    """Upload through the page; a large file's task runs once the request's job commits."""
    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if key is not None:
        form["key"] = SimpleUploadedFile(".key", key, content_type="application/octet-stream")
    with committed():
        return client.post(URL, form, follow=follow)


def only_job():
    (job,) = ImportJob.objects.all()
    return job


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def reasons(job):
    return {line["row"]: line["reason"] for line in job.report}


def encrypted_log():
    fernet = Fernet(Fernet.generate_key())
    lines = [fernet.encrypt(json.dumps(row()).encode()).hex() for _ in range(3)]
    return ("\n".join(lines) + "\n").encode()


def tool_entry(**fields):
    """A session as the old tool's SecureSessionLogger built it (name_number a number)."""
    entry = {
        "timestamp": "2024-03-01T07:30:00.123456",  # datetime.utcnow().isoformat()
        "user": "amina",
        "prompt": "patience with my family",
        "name_number": 1,
        "name_transliteration": "Ar-Rahman",
        "session_id": str(uuid.uuid4()),
    }
    entry.update(fields)
    return entry


def tool_log(key, *entries):
    """The encrypted log as the tool wrote it: per session, the hex of a Fernet token of its
    JSON, one a line, no header. `key` is the key file's content (Fernet.generate_key())."""
    fernet = Fernet(key)
    return b"".join(fernet.encrypt(json.dumps(e).encode()).hex().encode() + b"\n" for e in entries)
