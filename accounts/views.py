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
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from . import audit
from .audit import Action
from .forms import (
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeFormCapped,
    SetPasswordFormCapped,
    SettingsForm,
    SignUpForm,
    TokenForm,
)
from .models import User
from .ratelimit import limit_posts
from .requests import AuthenticatedRequest
from .sessions import end_sessions

PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300
PENDING_ATTEMPTS = 5


def _next_url(request: HttpRequest, fallback: str = settings.LOGIN_REDIRECT_URL) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


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
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit.record(request, Action.SIGNUP, user, actor=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome. Your account is ready.")
        return redirect(_next_url(request))
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if has_second_factor(user):
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "since": time.time(),
                "attempts": 0,
                "next": next_url,
            }
            return redirect("accounts:login_verify")
        login(request, user)
        return redirect(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in for accounts with two-factor authentication."""
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Please sign in again.")
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            user.backend = pending["backend"]
            login(request, user)
            otp_login(request, device)
            return redirect(pending["next"])
        pending["attempts"] += 1
        request.session[PENDING_KEY] = pending
        audit.record(request, Action.LOGIN_FAILED, user, known_account=True, stage="second_factor")
        if pending["attempts"] >= PENDING_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "Too many wrong codes. Please sign in again.")
            return redirect("accounts:login")
        form.add_error("token", "That code is not valid. Check your app's clock and try again.")
    return render(request, "accounts/login_verify.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session: the old cookie signs nobody in
    messages.info(request, "You are signed out.")
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
        messages.success(request, "Your settings are saved.")
        return redirect("accounts:settings")
    context = {"form": form, "two_factor": has_second_factor(user)}
    return render(request, "accounts/settings.html", context)


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = EmailChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["email"])
        audit.record(request, Action.EMAIL_CHANGED, user)
        messages.success(request, "Your e-mail address is changed.")
        return redirect("accounts:settings")
    return render(request, "accounts/email_change.html", {"form": form})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeFormCapped(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)  # this session stays signed in
        ended = end_sessions(user, keep=request.session.session_key)
        audit.record(request, Action.PASSWORD_CHANGED, user, other_sessions_ended=ended)
        messages.success(request, "Your password is changed. Other sessions were signed out.")
        return redirect("accounts:settings")
    return render(request, "accounts/password_change.html", {"form": form})


class RateLimitedPasswordResetView(PasswordResetView):
    """Never says whether an address has an account: the same page follows either way."""

    # As every form view here: GET and POST only (Django's form views treat PUT as POST).
    http_method_names = ["get", "head", "post"]
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
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _delete_account(request, user)
        logout(request)
        messages.success(request, "Your account and all its data have been deleted.")
        # Signed out with the account, so it lands where every sign-out does.
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/delete.html", {"form": form})
