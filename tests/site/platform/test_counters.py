"""Shared counters fail open: a cache outage never breaks a page."""

import logging

from django.core.cache import cache
from prometheus_client import REGISTRY

from aysekai_site.platform import counters, metrics


def errors(operation: str) -> float:
    value = REGISTRY.get_sample_value("aysekai_cache_errors_total", {"operation": operation})
    return value or 0.0


def test_it_counts_in_the_cache():
    cache.delete("test:counter")
    assert [counters.increment("test:counter") for _ in range(3)] == [1, 2, 3]
    assert counters.read(["test:counter", "test:never"]) == {"test:counter": 3}


def test_an_unreachable_cache_counts_zero_logs_a_warning_and_a_metric(cache_down, caplog):
    before = errors("increment")
    with caplog.at_level(logging.WARNING, logger="aysekai_site.platform.counters"):
        assert counters.increment("test:counter") == 0
    assert errors("increment") == before + 1
    (record,) = caplog.records
    assert record.getMessage() == "cache unavailable (increment failed open): ConnectionError"
    assert str(cache_down) not in record.getMessage()  # no address in the log


def test_an_unreachable_cache_reads_as_unknown_not_zero(cache_down):
    before = errors("read")
    assert counters.read(["test:counter"]) is None
    assert metrics.read_shared(["anything"]) is None
    assert errors("read") == before + 2
    metrics.count_shared("anything")  # and counting does not raise
