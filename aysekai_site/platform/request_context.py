"""The request being served, for code that has no request argument (audit events written
from signals, log records). None outside a request."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)
