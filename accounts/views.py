"""Sign-up, sign-in (with the second step for two-factor), sign-out, settings, deletion."""

from __future__ import annotations

import time
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView, PasswordResetView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from aysekai_site.platform import languages

from . import audit, backends, mail
from .audit import Action
from .forms import (
    DeleteAccountForm,
    EmailPasswordResetForm,
    LoginForm,
    PasswordChangeFormCapped,
    SetPasswordFormCapped,
    SettingsForm,
    SignUpForm,
    TokenForm,
)
from .models import User
from .ratelimit import limit_posts
from .redirects import is_same_site_path, next_url
from .requests import AuthenticatedRequest
from .sessions import end_sessions
from .verification import LOCKED, check_code

PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300
PENDING_ATTEMPTS = 5


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
@limit_posts("signup", "SIGNUP_RATE")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    destination = next_url(request)
    if request.method == "POST" and form.is_valid():
        form.instance.language = translation.get_language() or settings.LANGUAGE_CODE
        with transaction.atomic():
            user = form.save()
            audit.record(request, Action.SIGNUP, user, actor=user)
        login(request, user, backend=backends.PATH)
        messages.success(request, _("Welcome. Your account is ready."))
        return HttpResponseRedirect(destination)
    return render(request, "accounts/signup.html", {"form": form, "next": destination})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    destination = next_url(request)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if has_second_factor(user):
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "since": time.time(),
                "attempts": 0,
                "next": destination,
            }
            return redirect("accounts:login_verify")
        login(request, user)
        return _signed_in(user, destination)
    return render(request, "accounts/login.html", {"form": form, "next": destination})


def _signed_in(user: User, destination: str) -> HttpResponse:
    """Where sign-in lands: `next`, else their home page in the language of their settings;
    the language cookie says they have chosen (no suggestion of another)."""
    if destination == resolve_url(settings.LOGIN_REDIRECT_URL):
        with translation.override(user.language):
            destination = resolve_url(settings.LOGIN_REDIRECT_URL)
    return languages.remember(HttpResponseRedirect(destination), user.language)


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in for accounts with two-factor authentication."""
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = check_code(
                request, user, form.cleaned_data["token"], Action.LOGIN_FAILED,
                known_account=True, stage="second_factor",
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("token", error)
            if form.has_error("token", LOCKED):
                # The account (or this network) must wait; then sign in again from the start.
                request.session.pop(PENDING_KEY, None)
                status = 429
            elif form.has_error("token", "wrong"):
                pending["attempts"] += 1
                request.session[PENDING_KEY] = pending
                if pending["attempts"] >= PENDING_ATTEMPTS:
                    request.session.pop(PENDING_KEY, None)
                    messages.error(request, _("Too many wrong codes. Please sign in again."))
                    return redirect("accounts:login")
        else:
            user.backend = pending["backend"]
            login(request, user)
            otp_login(request, device)
            destination = pending.get("next", "")
            if not is_same_site_path(destination, request):  # a marker older than the check
                destination = resolve_url(settings.LOGIN_REDIRECT_URL)
            return _signed_in(user, destination)
    return render(request, "accounts/login_verify.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session: the old cookie signs nobody in
    messages.info(request, _("You are signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any):
    """django-axes' lockout response: a clear page with HTTP 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = SettingsForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            audit.record(request, Action.SETTINGS_CHANGED, user, fields=sorted(form.changed_data))
        with translation.override(user.language):  # said, and shown, in the chosen language
            messages.success(request, _("Your settings are saved."))
            response = redirect("accounts:settings")
        return languages.remember(response, user.language)
    context = {"form": form, "two_factor": has_second_factor(user)}
    return render(request, "accounts/settings.html", context)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeFormCapped(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)  # this session stays signed in
        ended = end_sessions(user, keep=request.session.session_key)
        audit.record(request, Action.PASSWORD_CHANGED, user, other_sessions_ended=ended)
        mail.send(request, "password_changed", user.email, by_reset=False)
        messages.success(request, _("Your password is changed. Other sessions were signed out."))
        return redirect("accounts:settings")
    status = 429 if form.has_error("old_password", LOCKED) else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


class RateLimitedPasswordResetView(PasswordResetView):
    """Never says whether an address has an account: the same page follows either way."""

    # As every form view here: GET and POST only (Django's form views treat PUT as POST).
    http_method_names = ["get", "head", "post"]
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        audit.record(self.request, Action.PASSWORD_RESET_REQUESTED)
        return super().form_valid(form)


class AuditedPasswordResetConfirmView(PasswordResetConfirmView):
    http_method_names = ["get", "head", "post"]
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordFormCapped
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        end_sessions(form.user)
        audit.record(self.request, Action.PASSWORD_RESET, form.user, actor=form.user)
        mail.send(self.request, "password_changed", form.user.email, user=form.user, by_reset=True)
        return response


password_reset = limit_posts("password_reset", "PASSWORD_RESET_RATE")(
    RateLimitedPasswordResetView.as_view()
)
password_reset_confirm = AuditedPasswordResetConfirmView.as_view()


def _delete_account(request: HttpRequest, user: User) -> None:
    """Remove the user and every row of theirs; the audit trail keeps an anonymised event."""
    with transaction.atomic():
        audit.record(request, Action.ACCOUNT_DELETED, user, actor=user)
        end_sessions(user)
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=user.email).delete()
        user.delete()  # devices, session records: CASCADE; audit events: actor set to NULL


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _delete_account(request, user)
        logout(request)
        messages.success(request, _("Your account and all its data have been deleted."))
        # Signed out with the account, so it lands where every sign-out does.
        return redirect(settings.LOGOUT_REDIRECT_URL)
    status = 429 if form.has_error("current_password", LOCKED) else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
