"""Asking for an export through the page, and looking at what it left on disk."""

from tests.meditation.helpers import committed

URL = "/exports/"


def request_export(client, fmt="zip", **extra):
    with committed():
        return client.post(URL, {"format": fmt, **extra})


def download(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def export_files(settings):
    folder = settings.PRIVATE_STORAGE_ROOT / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
