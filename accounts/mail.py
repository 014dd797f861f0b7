"""The account's e-mails: plain text from templates/accounts/<name>_subject.txt and _email.txt.

They name what happened and when, and link to where to act; never journal text, passwords or
codes (the one secret a mail may hold is the link it exists to send).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def language_of(request: HttpRequest, user: Any = None) -> str:
    """The language a person's mail is written in: the one in their settings, else the page's."""
    person = user if user is not None else getattr(request, "user", None)
    chosen = getattr(person, "language", "") if getattr(person, "is_authenticated", False) else ""
    return chosen or translation.get_language() or settings.LANGUAGE_CODE


def send(request: HttpRequest, name: str, to: str, *, user: Any = None, **context: Any) -> bool:
    """Send one account mail, in the person's language (`user`, else the signed-in one: their
    settings' language; a visitor's: the page's), its links in it too; False (logged) when the
    mail server refused or was unreachable.

    A notice that cannot be sent must not undo or hide the change it reports, so the caller
    decides what a failure means.
    """
    with translation.override(language_of(request, user)):
        context = {
            "site": request.get_host(),
            "when": timezone.now(),
            "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
            **context,
        }
        subject = render_to_string(f"accounts/{name}_subject.txt", context)
        body = render_to_string(f"accounts/{name}_email.txt", context)
    try:
        send_mail("".join(subject.splitlines()), body, None, [to])
    except Exception:  # any transport error: SMTP, DNS, a timeout
        logger.exception("could not send the %s mail", name)
        return False
    return True
