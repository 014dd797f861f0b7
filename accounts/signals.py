"""Audit events and session records for sign-in, sign-out, failures and lockouts."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from . import audit
from .audit import Action
from .models import AuthSession, User


def _account(email: str | None) -> User | None:
    return User.objects.filter(email__iexact=email or "").first()


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if request.session.session_key:
        AuthSession.objects.get_or_create(session_key=request.session.session_key, user=user)
    audit.record(request, Action.LOGIN, user, actor=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None or user.pk is None:  # nobody signed in, or the account was just deleted
        return
    AuthSession.objects.filter(session_key=request.session.session_key or "").delete()
    audit.record(request, Action.LOGOUT, user, actor=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted address is not stored: only whether it belongs to an account, and which.
    account = _account(credentials.get("username"))
    audit.record(request, Action.LOGIN_FAILED, account, known_account=account is not None)


@receiver(user_locked_out)
def on_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    account = _account(username)
    audit.record(request, Action.LOCKOUT, account, known_account=account is not None)
