"""The admin is for staff who have passed a second factor in this session."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Django's admin runs a search and a date drill-down as given. Past these bounds a search is a
# query SQLite refuses (its LIKE pattern or expression tree is too large: the 503 page), and a
# year or day of more digits than a date has is an OverflowError (a 500); a NUL in a filter is
# refused by Postgres (a 500).
SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 20
DATE_PART = re.compile(r"__(year|month|day)$")


def refusal(query: QueryDict) -> str:
    """Why the admin will not run this page's search or date filter ("" if it will)."""
    search = query.get(SEARCH_VAR, "")
    if len(search) > SEARCH_MAX_CHARS or len(search.split()) > SEARCH_MAX_WORDS:
        return f"Search for at most {SEARCH_MAX_CHARS} characters and {SEARCH_MAX_WORDS} words."
    for key in query:
        values = query.getlist(key)
        if DATE_PART.search(key) and any(len(value) > 4 for value in values):
            return "That date is not one the admin can show."
        # Postgres refuses a NUL in any string it is sent (a 500); no filter value holds one.
        if "\x00" in key or any("\x00" in value for value in values):
            return "That filter is not one the admin can use."
    return ""


def bounded[View: Callable[..., HttpResponseBase]](view: View) -> View:
    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        reason = refusal(request.GET)
        if reason:
            messages.error(request, reason)
            return redirect(request.path)
        return view(request, *args, **kwargs)

    return cast(View, inner)


class SecondFactorAdminSite(admin.AdminSite):
    site_header = "Aysekai curation"
    site_title = "Aysekai admin"
    index_title = "Curation"

    def admin_view[View: Callable[..., HttpResponseBase]](
        self, view: View, cacheable: bool = False
    ) -> View:
        # Bounded inside the permission check: a stranger is sent to sign in first.
        return super().admin_view(bounded(view), cacheable)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(super().has_permission(request) and user.is_verified())  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Sign-in happens on the site's own page (with lockout and the second factor)."""
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            # Signed in, but without a verified second factor in this session.
            messages.warning(
                request,
                "The admin needs two-factor authentication: set it up (or sign in again "
                "with your code) to continue.",
            )
            return redirect("accounts:two_factor")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
