"""The catalogue pages' cached parts and their validators (issue 13).

The expensive part of each page (the names' markup) is rendered once per catalogue version and
kept in the Django cache; the page around it (the header that shows who is signed in, the CSRF
token of its sign-out form, the messages) is rendered for every request, never cached.

The version is read from the database, one aggregate over the 99 rows, because every web
process shares it: a curator's edit (the admin, a revert, `load_names`, any save, delete or bulk
update, which all move `updated_at` or the row count) shows at once in every process. A version
kept in each process's memory could not say so.

Validators: only a visitor's page gets an ETag (and so a 304). A request with a session (every
signed-in person) or with messages waiting may show something of theirs: it gets neither, and
its page stays `private, no-store` (platform/cache_control.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

from aysekai_site.platform.fragment_cache import cache_key, cached
from aysekai_site.platform.htmx import wants_fragment

from ..models import DivineName

# A version names its content for good; the timeout only frees the space of old versions.
FRAGMENT_TIMEOUT = 24 * 60 * 60


def catalogue_version() -> str:
    """Changes with any write to the names (one query)."""
    row = DivineName.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    latest = row["latest"].timestamp() if row["latest"] else 0
    return f"{row['count']}-{latest}"


def fragment[T](version: str, *parts: object, render: Callable[[], T]) -> T:
    """Markup for `parts` (the page, its arguments) at this catalogue version."""
    return cached(cache_key("catalogue", version, *parts), render, FRAGMENT_TIMEOUT)


def is_public(request: HttpRequest) -> bool:
    """True when the page can show nothing of the requester's: no session, no messages."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def page_etag(request: HttpRequest, *parts: object) -> str | None:
    """A weak ETag for a visitor's page from what it shows (`parts`); None for anyone else."""
    if not is_public(request):
        return None
    # The full page and the htmx fragment of the same URL differ.
    return f'W/"{cache_key("page", request.get_full_path(), wants_fragment(request), *parts)[5:]}"'


def conditional(
    request: HttpRequest, etag: str | None, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """304 when the visitor's copy has `etag`, else `render()`; with the validator either way.

    An ETag and no Last-Modified: with no date to guess a freshness from, a browser asks again
    every time (cheaply, with the ETag), so an edit is never hidden behind a stored copy.
    `Vary: Cookie`: a shared cache never answers a signed-in person with a visitor's page.
    """
    if etag is None:
        return render()
    response = get_conditional_response(request, etag=etag) or render()
    if 200 <= response.status_code < 300 or response.status_code == 304:
        response.headers["ETag"] = etag
    patch_vary_headers(response, ("Cookie", "HX-Request"))
    return response
