"""The admin is for staff who have passed a second factor in this session."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class SecondFactorAdminSite(admin.AdminSite):
    site_header = "Aysekai curation"
    site_title = "Aysekai admin"
    index_title = "Curation"

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
