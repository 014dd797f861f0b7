"""The audit trail: who did what, when, from where. Append-only.

`record(request, action, target, **metadata)` is the one way to write an event. Metadata must
never hold journal text, passwords or tokens.

Each app owns its action names: a TextChoices class (accounts' own is `Action` below) that
it passes to `register_actions()` from its AppConfig.ready(). The stored column holds the
value only, so an app adds an action without a migration here; `record()` refuses a value no
app registered, and `label()` gives the human wording wherever an event is shown.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from aysekai_site.platform.ip import client_ip

USER_AGENT_MAX = 256
FORBIDDEN_METADATA = {"password", "token", "intention", "reflection", "secret", "code"}


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted (except by the retention purge)."""


class UnknownActionError(ValueError):
    """An action that no app registered: a typo, or an app that forgot register_actions()."""


class Action(models.TextChoices):
    """Accounts' actions, and the admin's (recorded for every app's models)."""

    SIGNUP = "signup", "signed up"
    LOGIN = "login", "signed in"
    LOGIN_FAILED = "login_failed", "failed to sign in"
    LOCKOUT = "lockout", "locked out"
    LOGOUT = "logout", "signed out"
    PASSWORD_CHANGED = "password_changed", "changed password"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "requested a password reset"
    PASSWORD_RESET = "password_reset", "reset password"
    EMAIL_CHANGE_REQUESTED = "email_change_requested", "asked to change e-mail"
    EMAIL_CHANGED = "email_changed", "changed e-mail"
    REAUTH_FAILED = "reauth_failed", "gave a wrong password or code"
    VERIFY_LOCKOUT = "verify_lockout", "locked out of password or code checks"
    SESSION_EXPIRED = "session_expired", "reached the session's lifetime"
    TWO_FACTOR_ENABLED = "2fa_enabled", "enabled two-factor"
    TWO_FACTOR_DISABLED = "2fa_disabled", "disabled two-factor"
    BACKUP_CODES_REGENERATED = "backup_codes", "made new backup codes"
    SETTINGS_CHANGED = "settings_changed", "changed settings"
    ACCOUNT_DELETED = "account_deleted", "deleted account"
    TOKEN_CREATED = "token_created", "made a personal token"
    TOKEN_USED = "token_used", "used a personal token"
    TOKEN_REVOKED = "token_revoked", "revoked a personal token"
    TOKEN_REFUSED = "token_refused", "offered a token that was refused"
    ADMIN_CHANGE = "admin_change", "changed something in the admin"


# value -> (label, the TextChoices class that registered it)
_actions: dict[str, tuple[str, type[models.TextChoices]]] = {}


def register_actions(choices: type[models.TextChoices]) -> None:
    """Make an app's actions recordable, with their labels. Call it from AppConfig.ready()."""
    from .models import AuditEvent

    longest = cast(models.CharField, AuditEvent._meta.get_field("action")).max_length or 0
    for value, wording in choices.choices:
        _, owner = _actions.get(value, (wording, choices))
        if owner is not choices:
            raise ImproperlyConfigured(
                f"Audit action {value!r} of {choices.__qualname__} is already registered "
                f"by {owner.__module__}.{owner.__qualname__}."
            )
        # SQLite would store a longer value silently; Postgres would refuse it at record time.
        if len(value) > longest:
            raise ImproperlyConfigured(f"Audit action {value!r} is longer than {longest}.")
        _actions[value] = (wording, choices)


def actions() -> list[tuple[str, str]]:
    """Every registered (value, label), in label order (for filters)."""
    return sorted(
        ((value, wording) for value, (wording, _) in _actions.items()), key=lambda a: a[1]
    )


def label(action: str) -> str:
    """The human wording of an action; the stored value itself for one no longer registered
    (an old event whose action was since removed still shows)."""
    registered = _actions.get(action)
    return registered[0] if registered else action


def record(
    request: HttpRequest | None,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    *,
    actor: Any = None,
    **metadata: Any,
):
    """Write one audit event, filling request id, IP and user agent from the request.

    `target` is a model instance, or (type label, id) for something already deleted. Without a
    request argument, the request being served (if any) is used.
    """
    from aysekai_site.platform.request_context import current_request

    from .models import AuditEvent

    if action not in _actions:
        raise UnknownActionError(f"audit action {action!r} is not registered by any app")
    leaked = FORBIDDEN_METADATA & set(metadata)
    if leaked:
        raise ValueError(f"audit metadata must not hold {sorted(leaked)}")
    request = request if request is not None else current_request.get()
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type, target_id = target or ("", "")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=(client_ip(request) or None) if request is not None else None,
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX] if request else "",
        request_id=getattr(request, "request_id", "") if request is not None else "",
        metadata=metadata,
    )


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Remove events older than AUDIT_RETENTION_DAYS: the only deletion there is."""
    from .models import AuditEvent

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    expired = AuditEvent.objects.filter(created_at__lt=cutoff)
    deleted, _ = models.QuerySet.delete(expired)
    return deleted
