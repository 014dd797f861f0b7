"""What meditation reports at /metrics: export jobs by status, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import ExportJob, JobStatus


class ExportJobs(Collector):
    """How many export jobs are in each status (every status, 0 when none is)."""

    def collect(self) -> Iterator[Any]:
        by_status = dict(ExportJob.objects.values_list("status").annotate(n=Count("pk")).order_by())
        exports = GaugeMetricFamily("aysekai_exports", "Export jobs by status.", labels=["status"])
        for status in JobStatus.values:
            exports.add_metric([status], by_status.get(status, 0))
        yield exports
