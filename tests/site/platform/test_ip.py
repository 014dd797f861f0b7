import pytest
from django.test import RequestFactory

from aysekai_site.platform.ip import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1", "10.0.0.1"),  # no proxy trusted: header ignored
        (1, "203.0.113.7", "10.0.0.1", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "10.0.0.1", "203.0.113.7"),  # spoofed entry on the left
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "10.0.0.1", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1", "203.0.113.7"),  # fewer hops than proxies
        (1, "", "10.0.0.1", "10.0.0.1"),
        (1, "not-an-ip", "10.0.0.1", "10.0.0.1"),
        (1, "2001:db8::1", "10.0.0.1", "2001:db8::1"),
    ],
)
def test_it_reads_the_client_ip_behind_trusted_proxies(
    settings, proxies, forwarded, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected
