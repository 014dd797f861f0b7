from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe

from meditation.api.api import api

from . import errors, health, metrics
from .platform.languages import javascript_catalog

# A database outage raised anywhere in a request is the 503 page (aysekai_site.errors).
handler500 = errors.server_error


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages (the admin's) that do not name an icon."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("favicon.ico", favicon),
    path(settings.ADMIN_URL, admin.site.urls),
    # The pages people read, in every language: English at the contract's URLs, Turkish and
    # Arabic under /tr/ and /ar/ (platform/languages.py). Machines' URLs above and below
    # (health, metrics, the admin, the API) have one address each.
    *i18n_patterns(
        path("jsi18n/", javascript_catalog, name="javascript-catalog"),
        path("accounts/", include("accounts.urls")),
        path("", include("meditation.urls")),
        prefix_default_language=False,
    ),
    # The names API (meditation/api/), after the app's URLs: its page for people is
    # meditation's `api_docs` at api/, which ninja's own (empty) root would otherwise take.
    path("api/", api.urls),
]
