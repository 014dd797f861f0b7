"""Site-wide middleware: request ids, the request log and security headers. (A database
outage becomes the 503 page in `aysekai_site.errors`, the 500 handler.) Pages are gzipped."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from .platform.request_context import current_request
from .platform.requests import HtmxHttpRequest

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


request_logger = logging.getLogger("aysekai.requests")
# URL parts that are secrets (a password-reset link's token and user id) are not logged.
SECRET_URL_KWARGS = ("token", "uidb64")


def logged_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_KWARGS:
        value = match.kwargs.get(name) if match else None
        if value:
            path = path.replace(str(value), "[redacted]")
    return path


class RequestLogMiddleware:
    """One log line per request: method, path (never the query string), status, duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        match = getattr(request, "resolver_match", None)
        path = logged_path(request)
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "view": match.view_name if match else None,
            },
        )
        return response


class SecurityHeadersMiddleware:
    """The headers Django has no setting for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class CompressPagesMiddleware(GZipMiddleware):
    """Pages and fragments gzipped; streamed responses (export downloads) left as they are.

    Safe with the CSRF token of the sign-out form and the others (BREACH): Django masks the
    token afresh for every response, and GZipMiddleware adds up to 100 random bytes to each
    compressed body, so a response's length says nothing about a secret in it. A download is
    already a file of its own (a ZIP is compressed): it keeps its Content-Length.
    Static files never come here: whitenoise answers them, compressed, before this runs.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming:
            return response
        return super().process_response(request, response)
