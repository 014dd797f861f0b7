"""Accounts' middleware: the absolute lifetime of a signed-in session, and the person's zone.

- `AbsoluteSessionLifetimeMiddleware`: a signed-in request pushes the idle expiry forward
  when the last push is SESSION_REFRESH_SECONDS old (not on every request: a session write
  costs each page a transaction, issue 13), so the idle time is kept to within that interval.
  An active (or stolen) session would otherwise live for ever: SESSION_ABSOLUTE_AGE after
  signing in, it is signed out, however active; before that, its expiry is never set past
  that point.
- `LoadedUserMiddleware`: `request.user` becomes the person (or the visitor) it stands for,
  rather than the lazy proxies the auth and second-factor middleware put there.
- `TimeZoneMiddleware`: every time a signed-in person sees is in their own zone; a visitor's in
  UTC.
"""

from __future__ import annotations

import contextlib
import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aysekai_site.platform import digits

from . import audit
from .audit import Action
from .models import AuthSession

# When the session signed in (a Unix time), set on sign-in by accounts.signals.
SIGNED_IN_AT = "signed_in_at"
# When its expiry was last pushed forward (a Unix time): the session was saved then.
REFRESHED_AT = "refreshed_at"


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
            now = time.time()
            ends = started + settings.SESSION_ABSOLUTE_AGE
            left = ends - now
            if left <= 0:
                user = request.user
                audit.record(
                    request, Action.SESSION_EXPIRED, user if user.is_authenticated else None
                )
                logout(request)
                days = settings.SESSION_ABSOLUTE_AGE // 86400
                # English says "days" for 1 too, as it always has; other languages have their forms.
                messages.info(
                    request,
                    ngettext(
                        "For your safety a session lasts at most %(days)d days: please sign in "
                        "again.",
                        "For your safety a session lasts at most %(days)d days: please sign in "
                        "again.",
                        days,
                    )
                    % {"days": days}
                    if days
                    else _("Your session has ended: please sign in again."),
                )
            elif _refresh_due(session, now, ends):
                # Changing the session saves it, with its expiry and its cookie's pushed forward.
                session[REFRESHED_AT] = now
                session.set_expiry(int(left) + 1 if left < settings.SESSION_COOKIE_AGE else None)
        return self.get_response(request)


def _refresh_due(session: SessionBase, now: float, ends: float) -> bool:
    """True when the expiry was last pushed SESSION_REFRESH_SECONDS ago (or never), or when the
    expiry it was given reaches past the session's absolute end."""
    refreshed = session.get(REFRESHED_AT)
    if not isinstance(refreshed, int | float):
        return True
    if now - refreshed >= settings.SESSION_REFRESH_SECONDS:
        return True
    # An expiry set from the whole idle age near the end of the lifetime; `+ 2` allows for the
    # second rounded up when it was cut to the end.
    return refreshed + session.get_expiry_age() > ends + 2


class LoadedUserMiddleware:
    """After AuthenticationMiddleware and OTPMiddleware: loads the user and puts the object
    itself in `request.user`.

    Those two each wrap `request.user` in a `SimpleLazyObject` (so the user is read only if
    asked for), and every attribute of it read afterwards (a template's `user.is_authenticated`,
    a view's `user.pk`) goes through both wrappers: a tenth of a signed-in page whose content is
    cached (issue 13). Every request reads the user anyway (`TimeZoneMiddleware`, next), so
    loading it here costs nothing more. The object is the one the proxies stood for, with the
    second factor's `otp_device` and `is_verified`. While the database cannot be reached the
    proxy is left as it is: the view meets the same error and answers the 503 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with contextlib.suppress(DatabaseError):
            request.user = loaded(request.user)
        return self.get_response(request)


def loaded[T](value: T) -> T:
    """The object a lazy object (or a lazy object of lazy objects) stands for, set up."""
    while isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return value


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


class ArabicIndicDigitsMiddleware:
    """On an Arabic page, for a person who chose it in settings, the numbers of the page's
    text in Arabic-Indic digits (`platform.digits`). Inside the compression, outside the
    views: cached fragments stay as they are, shared by everyone; only this response
    changes. A signed-in person's pages are never stored, so no stored page holds them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            getattr(request, "LANGUAGE_CODE", "") == "ar"
            and getattr(user, "arabic_indic_digits", False)
            and isinstance(response, HttpResponse)
            and response.get("Content-Type", "").startswith("text/html")
            and not response.get("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            response.content = digits.arabic_indic(response.content.decode(charset)).encode(charset)
        return response
