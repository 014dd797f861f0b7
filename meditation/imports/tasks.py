"""Imports of large session logs, on the worker."""

from __future__ import annotations

from celery import shared_task

from ..models import ImportJob
from .runner import import_job


@shared_task(name=ImportJob.task_name)  # "meditation.run_import"
def run_import(job_id: str) -> str:
    job = import_job(job_id)
    return job.status if job else "missing"
