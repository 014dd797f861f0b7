"""Every time a signed-in person sees is in their own zone; a visitor's in UTC."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class TimeZoneMiddleware:
    """Activates the person's zone for the request (templates' dates, forms' datetimes).

    After AuthenticationMiddleware. Nothing else is changed: the database, exports' data and
    tasks stay in UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # override() restores the previous zone afterwards, so no zone outlives its request.
        with timezone.override(person_zone(request)):
            return self.get_response(request)


def person_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    """The signed-in person's zone; None (the default, UTC) for a visitor."""
    try:
        user = request.user
        name = user.time_zone if user.is_authenticated else ""
    except DatabaseError:
        # The database is down: the view meets the same error and answers the 503 page.
        return None
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
