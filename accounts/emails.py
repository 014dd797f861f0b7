"""One spelling per e-mail address: the sign-in identifier, the unique key, axes' username.

Every path that takes an address from a person (sign-up, sign-in, django-axes' failure counter,
password reset, e-mail change, the admin's user forms) goes through `normalize_email`, so that
every spelling of an address is one account with one failure counter.

The whole address is lower-cased, local part included. RFC 5321 lets a mail server treat the
local part as case-sensitive, but this site already refuses two accounts whose addresses differ
only in case (the unique constraint on `Lower("email")`), so case never told two people apart
here; storing one spelling makes that constraint, axes' counters and every lookup agree.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.http import HttpRequest


def normalize_email(value: str) -> str:
    """NFKC (full-width letters, ligatures and odd spaces become plain ones), lower-cased,
    and trimmed of white space at both ends."""
    folded = unicodedata.normalize("NFKC", value)
    # Lower-casing can leave a sequence NFKC would compose (e.g. "İ" -> "i" + combining dot).
    return unicodedata.normalize("NFKC", folded.lower()).strip()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised address, wherever axes reads it from.

    axes reads the username from the credentials given to authenticate() when it has them,
    else from the posted form; either way every spelling counts against one record.
    """
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "data", request.POST).get("username")
    return normalize_email(raw) if isinstance(raw, str) else None
