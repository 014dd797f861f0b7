"""Structured logs: JSON lines carrying the request id, user id, path, status and duration.

Workers and beat log through the same configuration (see `aysekai_site.celery`): a task's lines
carry the id of the request that queued it ("-" when none did, as for beat's) and the task's id.

Log records never carry request bodies, query strings (they may hold journal search terms),
cookies or headers; request lines name the path only.
"""

from __future__ import annotations

import datetime
import json
import logging

from celery import current_task

from .platform.request_context import current_request, current_request_id

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "view")


class RequestContextFilter(logging.Filter):
    """Adds the current request's id and user id to every record made while serving it, and
    the originating request's id and the task's id to every record made while running a task."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        if not hasattr(record, "task_id"):
            # Celery's current task; None outside one (and when a task is called as a function).
            record.task_id = current_task.request.id if current_task else None
        if not hasattr(record, "user_id"):
            # Only a user the request has already loaded (AuthenticationMiddleware keeps it
            # there): loading it here would query the database, and during an outage turn the
            # 503 page into a 500.
            user = getattr(request, "_cached_user", None) if request else None
            record.user_id = user.pk if user is not None and user.is_authenticated else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", None),
        }
        task_id = getattr(record, "task_id", None)
        if task_id:
            entry["task_id"] = task_id
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
