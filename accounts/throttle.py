"""Limits on wrong passwords and wrong second-factor codes, per account and per IP.

Sign-in passwords are django-axes' (per account and IP). This covers the other secrets: the
current password asked before a sensitive change, and second-factor codes, at sign-in or to
turn two-factor off. A kind is locked for an account when VERIFY_FAILURE_LIMIT of its failures
fall within VERIFY_LOCKOUT_MINUTES, and for an IP when VERIFY_IP_FAILURE_LIMIT do (across
accounts). While locked, nothing is checked: the right secret is refused too.

Failures live in the database (FailedCheck), not the cache, so a lockout holds when the cache
is down; each check is one indexed query.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from aysekai_site.platform.ip import client_ip

from . import audit
from .audit import Action
from .models import FailedCheck, User

Kind = FailedCheck.Kind


@dataclass(frozen=True)
class Lock:
    scope: str  # "account" or "address"
    until: datetime.datetime

    @property
    def minutes(self) -> int:
        """Whole minutes left, at least 1."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    def message(self, kind: str) -> str:
        # Each case a whole sentence, so that every language can word it as it needs.
        minutes = self.minutes
        if kind == Kind.PASSWORD and self.scope == "account":
            message = ngettext(
                "Too many wrong passwords for this account. To protect the account this check "
                "is paused for %(minutes)d minute; until then even the right one is refused.",
                "Too many wrong passwords for this account. To protect the account this check "
                "is paused for %(minutes)d minutes; until then even the right one is refused.",
                minutes,
            )
        elif kind == Kind.PASSWORD:
            message = ngettext(
                "Too many wrong passwords from your network. To protect the account this check "
                "is paused for %(minutes)d minute; until then even the right one is refused.",
                "Too many wrong passwords from your network. To protect the account this check "
                "is paused for %(minutes)d minutes; until then even the right one is refused.",
                minutes,
            )
        elif self.scope == "account":
            message = ngettext(
                "Too many wrong codes for this account. To protect the account this check "
                "is paused for %(minutes)d minute; until then even the right one is refused.",
                "Too many wrong codes for this account. To protect the account this check "
                "is paused for %(minutes)d minutes; until then even the right one is refused.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many wrong codes from your network. To protect the account this check "
                "is paused for %(minutes)d minute; until then even the right one is refused.",
                "Too many wrong codes from your network. To protect the account this check "
                "is paused for %(minutes)d minutes; until then even the right one is refused.",
                minutes,
            )
        return message % {"minutes": minutes}


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.VERIFY_LOCKOUT_MINUTES)


def _ip(request: HttpRequest) -> str | None:
    return client_ip(request) or None


def lock_for(request: HttpRequest, user: User, kind: str) -> Lock | None:
    """The lock on this kind of check for the account or the client's IP, if any."""
    since = timezone.now() - window()
    recent = FailedCheck.objects.filter(kind=kind, created_at__gt=since)
    scopes: list[tuple[str, dict[str, object], int]] = [
        ("account", {"user": user}, settings.VERIFY_FAILURE_LIMIT)
    ]
    ip = _ip(request)
    if ip is not None:
        scopes.append(("address", {"ip": ip}, settings.VERIFY_IP_FAILURE_LIMIT))
    locks = []
    for scope, match, limit in scopes:
        # The newest `limit` failures: with that many in the window, the oldest of them says
        # when the window holds one fewer again.
        newest = list(
            recent.filter(**match)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(newest) >= limit:
            locks.append(Lock(scope, newest[-1] + window()))
    return max(locks, key=lambda lock: lock.until) if locks else None


def failed(
    request: HttpRequest, user: User, kind: str, action: str = Action.REAUTH_FAILED, **metadata
) -> Lock | None:
    """Count one wrong secret (audited as `action`); the lock it engaged, if it did."""
    now = timezone.now()
    FailedCheck.objects.filter(created_at__lte=now - window()).delete()
    FailedCheck.objects.create(user=user, kind=kind, ip=_ip(request), created_at=now)
    audit.record(request, action, user, kind=kind, **metadata)
    lock = lock_for(request, user, kind)
    if lock is not None:
        # Checks are refused while locked, so a lock seen right after a failure is a new one.
        audit.record(request, Action.VERIFY_LOCKOUT, user, kind=kind, scope=lock.scope)
    return lock


def succeeded(user: User, kind: str) -> None:
    """The right secret: the account's failures of this kind no longer count."""
    FailedCheck.objects.filter(user=user, kind=kind).delete()


def unlock(user: User) -> int:
    """Staff's unlock: forget every failure of the account."""
    deleted, _ = FailedCheck.objects.filter(user=user).delete()
    return deleted
