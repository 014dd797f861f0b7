"""Checking a signed-in person's current password, and second-factor codes, under the limits
of accounts.throttle. Each raises ValidationError with a message for the form."""

from __future__ import annotations

import math
import unicodedata
from typing import TYPE_CHECKING, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

from . import throttle
from .audit import Action
from .models import User
from .throttle import Kind

WRONG_PASSWORD = gettext_lazy("That is not your current password.")
WRONG_CODE = gettext_lazy("That code is not valid. Check your app's clock and try again.")
LOCKED = "locked"


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match is not None and match.url_name else ""


def _refuse_if_locked(request: HttpRequest, user: User, kind: str) -> None:
    lock = throttle.lock_for(request, user, kind)
    if lock is not None:
        raise ValidationError(lock.message(kind), code=LOCKED)


def _refuse(lock: throttle.Lock | None, kind: str, wrong: str | _StrPromise) -> NoReturn:
    if lock is not None:
        raise ValidationError(lock.message(kind), code=LOCKED)
    raise ValidationError(wrong, code="wrong")


def check_password(request: HttpRequest, user: User, password: str) -> None:
    """The account's current password, asked again before a sensitive change."""
    _refuse_if_locked(request, user, Kind.PASSWORD)
    if user.check_password(password):
        throttle.succeeded(user, Kind.PASSWORD)
        return
    lock = throttle.failed(request, user, Kind.PASSWORD, view=_view_name(request))
    _refuse(lock, Kind.PASSWORD, WRONG_PASSWORD)


def normalize_code(token: str) -> str:
    """A code as typed: full-width digits, spaces, dashes and capitals are all accepted."""
    folded = unicodedata.normalize("NFKC", token)
    kept = (ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Pd")
    return "".join(kept).lower()


def _device_for(user: User, token: str) -> Device | None:
    """The device that would check this code: the app for its 6 digits, else backup codes.

    Only that device is tried, so one wrong code counts once, against the device it was for.
    """
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is not None and token.isdigit() and len(token) == totp.digits:
        return totp
    return StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()


def check_code(
    request: HttpRequest,
    user: User,
    token: str,
    action: str = Action.REAUTH_FAILED,
    **metadata: object,
) -> Device:
    """A TOTP or backup code of the account; the device that accepted it.

    Two limits apply: the account's and IP's (accounts.throttle), and django-otp's own
    back-off on each device (1, 2, 4... seconds after successive failures), which is answered
    with "wait" and not counted, since nothing was checked.
    """
    _refuse_if_locked(request, user, Kind.CODE)
    token = normalize_code(token)
    with transaction.atomic():
        device = _device_for(user, token)
        if device is not None:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                until = (details or {}).get("locked_until") or timezone.now()
                seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
                # English keeps "seconds" for 1 too (as it always has); the plural forms are
                # for the languages that need them.
                message = ngettext(
                    "Too many wrong codes in a row: wait %(seconds)d seconds, then try again.",
                    "Too many wrong codes in a row: wait %(seconds)d seconds, then try again.",
                    seconds,
                )
                raise ValidationError(message % {"seconds": seconds}, code="wait")
            # Records the device's own failure count, committed with this block.
            if device.verify_token(token):
                throttle.succeeded(user, Kind.CODE)
                return device
    lock = throttle.failed(request, user, Kind.CODE, action, view=_view_name(request), **metadata)
    _refuse(lock, Kind.CODE, WRONG_CODE)
