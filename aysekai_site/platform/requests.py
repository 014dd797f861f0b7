"""Typed requests: what middleware adds to Django's HttpRequest, for the type checker."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails
    request_id: str
