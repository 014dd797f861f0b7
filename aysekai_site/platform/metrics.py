"""What apps add to /metrics: counters shared by every process, and collectors of their own.

`count_shared(name)` adds to a counter kept in the shared cache (Redis in production), so a
count made in a web or Celery worker is seen by whichever process answers the scrape.
An app exposes its numbers by registering a prometheus_client Collector from its
AppConfig.ready(): `register("exports", collector)`, or `register(name, SharedCounter(...))`
for a shared counter. The /metrics view (aysekai_site.metrics) reads `registered()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from . import counters

SHARED_PREFIX = "metrics:"

_collectors: dict[str, Collector] = {}


def count_shared(name: str, amount: int = 1) -> None:
    """Add to a counter kept in the shared cache (visible from every process)."""
    counters.increment(SHARED_PREFIX + name, amount)


def read_shared(names: Iterable[str]) -> dict[str, int] | None:
    """The shared counters `names` (0 for one never counted), in one cache round trip; None
    while the cache cannot be reached (a scrape then leaves them out: a false 0 would read as
    a counter reset)."""
    names = list(names)
    values = counters.read(SHARED_PREFIX + name for name in names)
    if values is None:
        return None
    return {name: values.get(SHARED_PREFIX + name, 0) for name in names}


class SharedCounter(Collector):
    """A Prometheus counter whose value is a shared counter (see count_shared)."""

    def __init__(self, name: str, metric: str, documentation: str) -> None:
        self.name, self.metric, self.documentation = name, metric, documentation

    def collect(self) -> Iterator[Any]:
        values = read_shared([self.name])
        if values is None:
            return
        yield CounterMetricFamily(self.metric, self.documentation, value=values[self.name])


def register(name: str, collector: Collector) -> None:
    """Report `collector` at /metrics under `name`: registering the same name again replaces
    its collector rather than reporting the metric twice."""
    _collectors[name] = collector


def registered() -> list[Collector]:
    """The collectors apps registered, in registration order."""
    return list(_collectors.values())
