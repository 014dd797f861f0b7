"""Ending an account's signed-in sessions (after a password change or reset, on deletion)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from .models import AuthSession, User


def end_sessions(user: User, keep: str | None = None) -> int:
    """Delete the user's sessions from the session store, except the one named `keep`."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = AuthSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(records.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    records.delete()
    return len(keys)
