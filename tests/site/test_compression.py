"""Pages are gzipped for a browser that accepts it (issue 13), downloads are left alone."""

import gzip

import pytest

from meditation.models import ExportJob
from tests.meditation.exports.helpers import request_export

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.parametrize("url", ["/", "/names/", "/names/1/", "/about/"])
def test_it_gzips_a_page_for_a_browser_that_accepts_it(client, url):
    plain = client.get(url)
    response = client.get(url, **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content
    assert len(response.content) < len(plain.content)


def test_it_sends_the_page_as_it_is_without_the_header(client):
    response = client.get("/names/")
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]
    assert response.content.startswith(b"<!doctype html>")


def test_a_signed_in_page_with_a_csrf_token_differs_in_length_each_time(signed_in):
    """BREACH: the token is masked afresh and random bytes pad the gzip header."""
    bodies = {signed_in.get("/names/", **GZIP).content for _ in range(4)}
    assert len(bodies) == 4
    assert len({len(body) for body in bodies}) > 1


def test_a_streamed_download_is_not_compressed_again(signed_in):
    request_export(signed_in, "zip")
    job = ExportJob.objects.get()
    response = signed_in.get(f"/exports/{job.pk}/download/", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")
