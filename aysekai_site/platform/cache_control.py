"""Responses that involve a person's session are never stored: `Cache-Control: private, no-store`.

One rule for the whole site, instead of a decorator on each view: a response is private when the
request brought the session cookie or the response sets (or deletes) it. A signed-in person
always has a session, so every page they see (the journal, exports and downloads, settings, and
even the names, which show who is signed in) is private; so are a visitor's pages once a sitting
has put something in their session. A visitor without a session (the only kind a shared cache
could ever serve) keeps the public pages' normal caching.

Deciding from the cookie, not from `request.user`, needs no database query: during an outage the
503 page is marked too, and a broken session is private rather than a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers


def involves_session(request: HttpRequest, response: HttpResponseBase) -> bool:
    name = settings.SESSION_COOKIE_NAME
    return name in request.COOKIES or name in response.cookies


SAME_FOR_EVERYONE = "_aysekai_same_for_everyone"


def same_for_everyone[R: HttpResponseBase](response: R) -> R:
    """A response whose view read nothing of the request's person or session (the scripts'
    catalogue): left as its view made it, session or not."""
    setattr(response, SAME_FOR_EVERYONE, True)
    return response


def mark_private(response: HttpResponseBase) -> None:
    """Never stored, by the browser or any cache between (merged with what the view set)."""
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))


class PrivateResponsesMiddleware:
    """Outside SessionMiddleware, so that it sees the session cookie that middleware sets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if involves_session(request, response) and not (
            getattr(response, SAME_FOR_EVERYONE, False)
            and settings.SESSION_COOKIE_NAME not in response.cookies
        ):
            mark_private(response)
        return response
