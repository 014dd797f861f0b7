"""Celery task outcomes, counted in the shared cache for /metrics."""

from __future__ import annotations

from typing import Any

from celery.signals import task_failure, task_retry, task_success

from .metrics import task_key
from .platform.metrics import count_shared


def _name(sender: Any) -> str:
    return getattr(sender, "name", None) or str(sender)


@task_success.connect
def on_success(sender: Any = None, **kwargs: Any) -> None:
    count_shared(task_key(_name(sender), "success"))


@task_failure.connect
def on_failure(sender: Any = None, **kwargs: Any) -> None:
    count_shared(task_key(_name(sender), "failure"))


@task_retry.connect
def on_retry(sender: Any = None, **kwargs: Any) -> None:
    count_shared(task_key(_name(sender), "retry"))
