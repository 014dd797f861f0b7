"""What apps add to /metrics: shared counters and registered collectors."""

import re

import pytest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from aysekai_site.platform import metrics
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def scrape(client) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


def value(body: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", body, re.MULTILINE)
    assert match, f"{sample} not in /metrics"
    return float(match[1])


class Fixed(Collector):
    def __init__(self, n: float) -> None:
        self.n = n

    def collect(self):
        yield GaugeMetricFamily("aysekai_test_fixed", "A test gauge.", value=self.n)


@pytest.fixture
def registry(monkeypatch):
    """Registrations made by a test are forgotten after it."""
    monkeypatch.setattr(metrics, "_collectors", dict(metrics._collectors))


def test_it_reports_a_collector_an_app_registered(client, registry):
    metrics.register("test_fixed", Fixed(7))
    assert value(scrape(client), "aysekai_test_fixed") == 7


def test_it_replaces_a_collector_registered_again_under_its_name(client, registry):
    metrics.register("test_fixed", Fixed(7))
    metrics.register("test_fixed", Fixed(8))
    body = scrape(client)
    assert len(re.findall(r"^aysekai_test_fixed ", body, re.MULTILINE)) == 1
    assert value(body, "aysekai_test_fixed") == 8


def test_it_reports_a_shared_counter_counted_anywhere(client, registry):
    metrics.register("test_shared", metrics.SharedCounter("test_shared", "aysekai_test", "Test."))
    before = value(scrape(client), "aysekai_test_total")
    metrics.count_shared("test_shared")
    metrics.count_shared("test_shared", 2)
    assert value(scrape(client), "aysekai_test_total") == before + 3


def test_it_reads_a_shared_counter_never_counted_as_zero():
    assert metrics.read_shared(["never-counted-xq"]) == {"never-counted-xq": 0}


def test_it_counts_failed_sign_ins_registered_by_accounts(client, user):
    before = value(scrape(client), "aysekai_failed_sign_ins_total")
    sign_in(client, user.email, "wrong password")
    sign_in(client, "nobody@example.com", "wrong password")
    assert value(scrape(client), "aysekai_failed_sign_ins_total") == before + 2


def test_it_reports_export_jobs_by_status_registered_by_meditation(client, user):
    from meditation.models import ExportJob

    ExportJob.objects.create(owner=user, status="running")
    ExportJob.objects.create(owner=user, status="running")
    body = scrape(client)
    assert value(body, 'aysekai_exports{status="running"}') == 2
    assert value(body, 'aysekai_exports{status="expired"}') == 0


def test_a_scrape_answers_without_the_shared_counters_while_the_cache_is_down(client, cache_down):
    body = scrape(client)
    assert "aysekai_http_requests_total" in body  # this process's own metrics are there
    assert "aysekai_celery_tasks_total" not in body  # no false zeros for the shared ones
    # Counted while the first scrape was collected: the next one reports it.
    assert value(scrape(client), 'aysekai_cache_errors_total{operation="read"}') >= 1
