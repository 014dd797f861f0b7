"""Structured logs: JSON lines carrying the request id, user id, path, status and duration.

Log records never carry request bodies, query strings (they may hold journal search terms),
cookies or headers; request lines name the path only.
"""

from __future__ import annotations

import datetime
import json
import logging

from .platform.request_context import current_request

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "view")


class RequestContextFilter(logging.Filter):
    """Adds the current request's id and user id to every record made while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", "-") if request else "-"
        if not hasattr(record, "user_id"):
            user = getattr(request, "user", None) if request else None
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
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
