"""Optional two-factor authentication: TOTP (django-otp) with single-use backup codes."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, mail
from .audit import Action
from .forms import CurrentPasswordForm, DisableTwoFactorForm, EnableTwoFactorForm
from .models import User
from .requests import AuthenticatedRequest
from .verification import LOCKED

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"


def _confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (the same secret until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(config_url: str) -> str:
    """The provisioning URL as an inline SVG QR code, drawn here (no third-party request)."""
    qr = segno.make(config_url, error="m")
    return mark_safe(  # noqa: S308  (segno writes only the SVG it generated)
        qr.svg_inline(scale=5, border=4, dark="#000000", light="#ffffff", omitsize=False)
    )


def _new_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    response = render(request, "accounts/two_factor_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_safe
def overview(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    static = StaticDevice.objects.filter(user=user).first()
    context = {
        "device": _confirmed_totp(user),
        "backup_codes_left": static.token_set.count() if static else 0,
        "password_form": CurrentPasswordForm(request),
        # Its own ids: both forms are on one page.
        "disable_form": DisableTwoFactorForm(request, auto_id="id_disable_%s"),
        "verified": request.user.is_verified(),
    }
    return render(request, "accounts/two_factor.html", context)


@sensitive_post_parameters("token", "current_password")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if _confirmed_totp(user):
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("accounts:two_factor")
    device = _pending_totp(user)
    form = EnableTwoFactorForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_backup_codes(user)
                audit.record(request, Action.TWO_FACTOR_ENABLED, user)
            otp_login(request, device)
            return _show_codes(request, codes)
        form.add_error("token", _("That code is not valid. Check your app's clock and try again."))
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    status = 429 if form.has_error("current_password", LOCKED) else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


def _errors(form: forms.Form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


@sensitive_post_parameters("current_password", "token")
@login_required
@require_POST
def disable(request: AuthenticatedRequest) -> HttpResponse:
    """Needs the password and a current code or a backup code (accounts.forms)."""
    user = request.user
    if not _confirmed_totp(user):
        return redirect("accounts:two_factor")
    form = DisableTwoFactorForm(request, request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Two-factor authentication is still on. %(errors)s") % {"errors": _errors(form)},
        )
        return redirect("accounts:two_factor")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(request, Action.TWO_FACTOR_DISABLED, user)
    mail.send(request, "two_factor_disabled", user.email)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")


@sensitive_post_parameters("current_password")
@login_required
@require_POST
def backup_codes(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = CurrentPasswordForm(request, request.POST)
    if not _confirmed_totp(user):
        return redirect("accounts:two_factor")
    if not form.is_valid():
        messages.error(request, _("No new codes were made. %(errors)s") % {"errors": _errors(form)})
        return redirect("accounts:two_factor")
    codes = _new_backup_codes(user)
    audit.record(request, Action.BACKUP_CODES_REGENERATED, user)
    return _show_codes(request, codes)
