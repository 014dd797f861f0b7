"""Changing the account's address: by a link sent to the new one, followed while signed in.

The link is signed and expires (EMAIL_CHANGE_TIMEOUT); it names the account, the new address
and a fingerprint of the current address and password hash, so it works once (the address
then differs), and a password change cancels every link not yet followed. The old address is
told when a change is asked for (so its owner can change the password in time) and when it
happens.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import audit, mail
from .audit import Action
from .forms import EmailChangeForm, email_taken
from .models import User
from .requests import AuthenticatedRequest
from .verification import LOCKED

SALT = "accounts.email_change"
TAKEN = gettext_lazy("Another account now uses this address, so yours stays as it is.")


def _fingerprint(user: User) -> str:
    fingerprint = salted_hmac(SALT, f"{user.pk}:{user.email}:{user.password}", algorithm="sha256")
    return fingerprint.hexdigest()[:32]


def _valid_for() -> str:
    minutes = max(1, settings.EMAIL_CHANGE_TIMEOUT // 60)
    if minutes % 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = minutes // 60
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def make_token(user: User, new_email: str) -> str:
    payload = {"u": user.pk, "e": new_email, "f": _fingerprint(user)}
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


def read_token(user: User, token: str) -> str | None:
    """The new address the link asks for, or None: forged, expired, someone else's, used, or
    made before the account's address or password last changed."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.EMAIL_CHANGE_TIMEOUT
        )
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        return None
    if not constant_time_compare(str(payload.get("f", "")), _fingerprint(user)):
        return None
    new_email = payload.get("e")
    return new_email if isinstance(new_email, str) else None


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def request_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = EmailChangeForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        path = reverse("accounts:email_change_confirm", args=[make_token(user, new_email)])
        link = request.build_absolute_uri(path)
        valid_for = _valid_for()
        if mail.send(request, "email_change_confirm", new_email, link=link, valid_for=valid_for):
            mail.send(request, "email_change_requested", user.email, new_email=new_email)
            audit.record(request, Action.EMAIL_CHANGE_REQUESTED, user)
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you follow it, "
                    "signed in, within %(valid_for)s."
                )
                % {"email": new_email, "valid_for": valid_for},
            )
            return redirect("accounts:settings")
        form.add_error(None, _("The message could not be sent. Please try again in a few minutes."))
    status = 429 if form.has_error("current_password", LOCKED) else 200
    return render(request, "accounts/email_change.html", {"form": form}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_change(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links; nothing changes on a GET); POST changes."""
    user = request.user
    new_email = read_token(user, token)
    context: dict[str, object] = {"new_email": new_email}
    if new_email is None:
        return render(request, "accounts/email_change_confirm.html", context)
    if email_taken(new_email, exclude_pk=user.pk):
        context["error"] = TAKEN
        return render(request, "accounts/email_change_confirm.html", context, status=409)
    if request.method == "POST":
        old_email = user.email
        try:
            with transaction.atomic():
                user.email = new_email
                user.save(update_fields=["email"])
                audit.record(request, Action.EMAIL_CHANGED, user)
        except IntegrityError:  # taken between the check above and the save
            user.email = old_email
            context["error"] = TAKEN
            return render(request, "accounts/email_change_confirm.html", context, status=409)
        mail.send(request, "email_changed", old_email, new_email=new_email)
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": new_email})
        return redirect("accounts:settings")
    return render(request, "accounts/email_change_confirm.html", context)
