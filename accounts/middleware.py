"""The absolute lifetime of a signed-in session, besides its idle expiry.

Every request pushes the idle expiry forward (SESSION_SAVE_EVERY_REQUEST), so an active (or
stolen) session would otherwise live for ever. SESSION_ABSOLUTE_AGE after signing in, the
session is signed out, however active; before that, its expiry is never set past that point.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from . import audit
from .audit import Action
from .models import AuthSession

# When the session signed in (a Unix time), set on sign-in by accounts.signals.
SIGNED_IN_AT = "signed_in_at"


def _signed_in_at(request: HttpRequest) -> float:
    """For a session signed in before this was recorded: when its record was made."""
    record = AuthSession.objects.filter(session_key=request.session.session_key or "").first()
    return record.created_at.timestamp() if record is not None else time.time()


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            started = session.get(SIGNED_IN_AT)
            if not isinstance(started, int | float):
                started = _signed_in_at(request)
                session[SIGNED_IN_AT] = started
            left = started + settings.SESSION_ABSOLUTE_AGE - time.time()
            if left <= 0:
                user = request.user
                audit.record(
                    request, Action.SESSION_EXPIRED, user if user.is_authenticated else None
                )
                logout(request)
                days = settings.SESSION_ABSOLUTE_AGE // 86400
                messages.info(
                    request,
                    f"For your safety a session lasts at most {days} days: please sign in again."
                    if days
                    else "Your session has ended: please sign in again.",
                )
            elif left < settings.SESSION_COOKIE_AGE:
                session.set_expiry(int(left) + 1)
        return self.get_response(request)
