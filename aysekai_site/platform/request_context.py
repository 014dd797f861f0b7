"""The request being served, for code that has no request argument (audit events written
from signals, log records). None outside a request.

A Celery task carries the id of the request that queued it: `task_request_id` holds it while
the task runs (in a worker, or eagerly), so its log lines name the same request as the web's.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

task_request_id: ContextVar[str | None] = ContextVar("task_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, else of the one that queued the running task."""
    request = current_request.get()
    if request is not None:
        return getattr(request, "request_id", None)
    return task_request_id.get()
