"""Audit events and session records for sign-in, sign-out, failures and lockouts."""

from __future__ import annotations

import json
import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from aysekai_site.platform.metrics import count_shared

from . import audit
from .audit import Action
from .emails import normalize_email
from .middleware import REFRESHED_AT, SIGNED_IN_AT
from .models import AuthSession, User

# The shared counter of failed sign-ins, reported at /metrics (see AccountsConfig.ready).
LOGIN_FAILED_COUNTER = "login_failed"


def _account(email: str | None) -> User | None:
    return User.objects.filter(email__iexact=normalize_email(email or "")).first()


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    now = time.time()
    request.session[SIGNED_IN_AT] = now  # the start of its absolute lifetime
    request.session[REFRESHED_AT] = now  # saved now, with a whole idle age
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
    count_shared(LOGIN_FAILED_COUNTER)


@receiver(user_locked_out)
def on_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    account = _account(username)
    audit.record(request, Action.LOCKOUT, account, known_account=account is not None)


ADMIN_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def audit_admin_entry(entry: LogEntry) -> None:
    """An add, change or delete made through the admin, as an audit event.

    Django's change message names the changed fields, never their values.
    """
    model = entry.content_type.model_class() if entry.content_type is not None else None
    label = model._meta.label_lower if model else ""
    try:
        parts = json.loads(entry.change_message) if entry.change_message.startswith("[") else []
    except ValueError:
        parts = []
    fields = [field for part in parts for field in part.get("changed", {}).get("fields", [])]
    audit.record(
        None,
        Action.ADMIN_CHANGE,
        (label, str(entry.object_id or "")),
        actor=entry.user_id and User.objects.filter(pk=entry.user_id).first(),
        admin_action=ADMIN_VERBS.get(entry.action_flag, "other"),
        fields=fields,
    )


def install_admin_audit() -> None:
    """Make Django's admin log also write the audit trail.

    Every admin log entry, single or bulk (a multi-row delete is one bulk_create, which sends
    no signal), is made by LogEntryManager.log_actions, so that one method is wrapped.
    """
    if getattr(LogEntryManager.log_actions, "audited", False):
        return
    original = LogEntryManager.log_actions

    def log_actions(self: LogEntryManager, *args: Any, **kwargs: Any) -> Any:
        logged = original(self, *args, **kwargs)
        for entry in logged if isinstance(logged, list) else [logged]:
            audit_admin_entry(entry)
        return logged

    log_actions.audited = True  # type: ignore[attr-defined]
    LogEntryManager.log_actions = log_actions  # type: ignore[method-assign]
