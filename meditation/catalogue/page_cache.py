"""The catalogue pages' cached parts and their validators (issue 13).

A visitor's page is answered whole from the cache by the platform's middleware
(`aysekai_site/platform/response_cache.py`), for the views that opt in with
`for_visitors(version=CATALOGUE_VERSION, ...)`; nothing here runs then. When the page is
rendered (the first visitor, and everyone signed in), the expensive part (the names' markup)
comes from the cache at the catalogue version; the page around it (the header that shows who is
signed in, the CSRF token of its sign-out form, the messages) is rendered for every request.

The version (`meditation.models.CATALOGUE_VERSION`) is kept in the shared cache and moved by
every write to a name (saves, deletes, bulk writes, a history revert, `load_names`), so a
curator's edit shows at once in every process. With a process-local cache it is the rows'
state, read from the database on every request (aysekai_site/platform/versions.py).

Validators: only a visitor's page gets an ETag (and so a 304). A request with a session (every
signed-in person) or with messages waiting may show something of theirs: it gets neither, and
its page stays `private, no-store` (platform/cache_control.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language

from aysekai_site.platform import languages
from aysekai_site.platform.fragment_cache import cache_key, cached
from aysekai_site.platform.htmx import wants_fragment
from aysekai_site.platform.response_cache import is_public
from aysekai_site.platform.versions import code_version

from ..models import CATALOGUE_VERSION

# A version names its content for good; the timeout only frees the space of old versions.
FRAGMENT_TIMEOUT = 24 * 60 * 60
# A visitor's stored page, likewise (its key holds the build, its entry the version).
PAGE_TIMEOUT = FRAGMENT_TIMEOUT
# Visitors' search pages: new queries stored per hour (each variant, gzipped or not, page or
# htmx fragment, counts), each kept an hour. Others are rendered as without the cache.
SEARCH_TIMEOUT = 60 * 60
SEARCHES_STORED = 200


def catalogue_version() -> str:
    """Changes with any write to the names (no query when the cache is shared)."""
    return CATALOGUE_VERSION.current()


def fragment[T](version: str, *parts: object, render: Callable[[], T]) -> T:
    """Markup for `parts` (the page, its arguments) at this catalogue version and build, in the
    active language."""
    key = cache_key("catalogue", code_version(), version, get_language(), *parts)
    return cached(key, render, FRAGMENT_TIMEOUT)


def page_etag(request: HttpRequest, *parts: object) -> str | None:
    """A weak ETag for a visitor's page from what it shows (`parts`); None for anyone else.

    The build is part of it: after a deploy the page may name other static files.
    """
    if not is_public(request):
        return None
    # The full page and the htmx fragment of the same URL differ.
    digest = cache_key(
        "page",
        code_version(),
        request.get_full_path(),
        wants_fragment(request),
        *languages.variant(request),
        *parts,
    )
    return f'W/"{digest[5:]}"'


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
