"""The site's 500 handler: a database outage is the 503 "back soon" page, wherever it struck.

Django turns an exception raised anywhere in a request (a view, or a middleware loading the
session or the user) into this handler's answer. A database that cannot be reached is not a
bug to show as a 500: every request during the outage gets the 503 page with Retry-After,
signed in or not, and the next request after the database is back is served as usual (Django
opens a new connection for it; CONN_HEALTH_CHECKS drops a dead persistent one).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is the database being unreachable."""
    while error is not None:
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _language() -> dict[str, object]:
    """What `<html lang dir>` needs, without the request's context processors (they may query
    the database): the language LocaleMiddleware activated from the path."""
    return {"LANGUAGE_CODE": get_language(), "LANGUAGE_BIDI": get_language_bidi()}


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if not database_unavailable(sys.exception()):
        # As Django's `defaults.server_error`, in the page's language and direction.
        try:
            body = render_to_string(template_name, _language())
        except TemplateDoesNotExist:
            return defaults.server_error(request, template_name)
        return HttpResponseServerError(body)
    # Rendered without the request: its context processors would query the database.
    response = HttpResponse(render_to_string("503.html", _language()), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
