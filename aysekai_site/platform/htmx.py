"""The one way a view answers htmx: the whole page, or only a fragment of it.

Fragments are Django 6 template partials (`page.html#fragment`). A history restore (htmx
re-fetching a page that is not in its cache) needs the whole page, and every response that
can differ by the `HX-Request` header says so in `Vary`, so that no cache serves a fragment
for a page or a page for a fragment.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

from .requests import HtmxHttpRequest


def wants_fragment(request: HtmxHttpRequest | HttpRequest) -> bool:
    """True for an htmx request that swaps part of the page (not a history restore).

    Read from the headers when django-htmx's middleware has not run yet (the visitors' page
    cache keys on it, outside that middleware).
    """
    htmx = getattr(request, "htmx", None)
    if htmx is None:
        htmx = HtmxDetails(request)
    return bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Only `template#fragment` (for a view whose htmx answer is part of another page)."""
    return vary_on_htmx(render(request, f"{template}#{fragment}", context, status=status))


def render_page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """`template#fragment` for an htmx swap, the whole `template` otherwise."""
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    return vary_on_htmx(render(request, name, context, status=status))
