"""Where to go after signing in or up: the `next` asked for when it is a path of this site,
else the home page. Never an error: the account is made and signed in whatever `next` says."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any URL of the site; a longer `next` is someone else's idea.
NEXT_MAX_LENGTH = 2000


def is_same_site_path(url: str, request: HttpRequest) -> bool:
    """A path on this site: one leading slash (not "//host" or "/\\host"), no scheme or host,
    no white space or control characters. Whether it resolves does not matter: an unknown path
    is this site's 404, never a 500."""
    if not url or len(url) > NEXT_MAX_LENGTH:
        return False
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_url(request: HttpRequest) -> str:
    """The posted or queried `next` if it is a same-site path, else where sign-in lands."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if is_same_site_path(candidate, request):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)
