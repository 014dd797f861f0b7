"""The page's language, the same page in the others, and the one to suggest (issue 17).

- **The path says the language.** English is at the contract's URLs, Turkish and Arabic under
  `/tr/` and `/ar/` (`i18n_patterns(prefix_default_language=False)` in `aysekai_site/urls.py`).
  Django's `LocaleMiddleware` activates the path's language; for an unprefixed page that is
  English whatever the browser asks, so a bookmarked URL is never redirected.
- **A first visit gets a suggestion.** When the request carries no language cookie and its
  `Accept-Language` prefers another of our languages, the page offers the same page in that
  language (in that language's own words), and the response sets the cookie to the page's
  language: the visitor has been asked, and is not asked again on every page. The switcher
  (every page's footer) links the same page in each language. Nothing here redirects.
- **What varies.** The suggestion is part of the stored visitor pages' key
  (`response_cache`), next to the path that already holds the language; `variant` is that part.
- **The scripts' strings** (static/js, the `djangojs` domain) come from Django's JavaScript
  catalogue at `/jsi18n/` in the path's language, named by every page with the build in its
  query string (`javascript_catalog_url`): the same for everyone, so public and kept a day
  even for a signed-in person (`cache_control.same_for_everyone`), and a new build is a new URL.
- **Alternates** (`<link rel="alternate" hreflang>` and the switcher) are the current path,
  without its query string, reversed in each language (`translate_url`): only pages under
  `i18n_patterns` have them, not the API, the admin, health checks or a URL nothing resolves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, cast

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import get_urlconf, reverse, translate_url
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from .cache_control import same_for_everyone
from .htmx import wants_fragment
from .versions import code_version

SUGGESTED = "_aysekai_suggested_language"
SameSite = Literal["Lax", "Strict", "None", False] | None


@dataclass(frozen=True)
class Alternate:
    """The current page in one language."""

    code: str
    name: str  # in its own language: "Türkçe", "العربية"
    url: str  # the path, without the query string
    current: bool

    @property
    def bidi(self) -> bool:
        return translation.get_language_info(self.code)["bidi"]

    @property
    def invitation(self) -> str:
        """The suggestion to read the page in this language, in this language."""
        with translation.override(self.code):
            # Translators: in the language of this translation, e.g. "Bu sayfayı Türkçe okuyun".
            return gettext("Read this page in English")


def names() -> dict[str, str]:
    return dict(settings.LANGUAGES)


@functools.lru_cache(maxsize=2048)
def _translated(path: str, language: str, urlconf: str, active: str) -> str:
    """`path` (resolved with `active` active) reversed in `language`; `path` when it is not a
    translated page. Kept per process: it depends on nothing else."""
    with translation.override(active):
        return translate_url(path, language)


def alternates(request: HttpRequest) -> list[Alternate]:
    """The page in each language, in `LANGUAGES`' order; [] where there is no such page."""
    if getattr(request, "resolver_match", None) is None:
        return []
    # The path alone: a query string is the visitor's to write (`?next=//elsewhere`), and a
    # link that copied it would put their words on the page; a search is begun again.
    path = request.path
    active = translation.get_language()
    urlconf = str(get_urlconf() or settings.ROOT_URLCONF)
    urls = {code: _translated(path, code, urlconf, active) for code in names()}
    if len(set(urls.values())) < len(urls):  # not under i18n_patterns: the same everywhere
        return []
    return [Alternate(code, name, urls[code], code == active) for code, name in names().items()]


def suggestion(request: HttpRequest) -> str | None:
    """On a first visit (no language cookie), the language Accept-Language prefers when it is
    one of ours and not the page's; None otherwise."""
    if hasattr(request, SUGGESTED):
        cached: str | None = getattr(request, SUGGESTED)
        return cached
    code: str | None = None
    if (
        settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and request.META.get("HTTP_ACCEPT_LANGUAGE")
        and getattr(request, "LANGUAGE_CODE", None)
    ):
        # Without a cookie Django reads Accept-Language, else LANGUAGE_CODE (the path is the
        # page's own language, not a preference, so it is not consulted).
        preferred = translation.get_language_from_request(request)
        if preferred != request.LANGUAGE_CODE:
            code = preferred
    setattr(request, SUGGESTED, code)
    return code


def variant(request: HttpRequest) -> tuple[str, str]:
    """What a page's stored copy depends on here beyond its path: the language suggested."""
    return ("suggested", suggestion(request) or "")


def suggested(request: HttpRequest) -> Alternate | None:
    code = suggestion(request)
    if code is None:
        return None
    return next((a for a in alternates(request) if a.code == code), None)


def javascript_catalog_url() -> str:
    """The scripts' catalogue in the active language, at this build."""
    return f"{reverse('javascript-catalog')}?v={code_version()}"


def languages(request: HttpRequest) -> dict[str, Any]:
    """Template context: `page_languages` (the switcher, hreflang), `language_suggestion` and
    `javascript_catalog_url`. Worked out only when a template uses them (not in a fragment)."""
    return {
        "page_languages": SimpleLazyObject(lambda: alternates(request)),
        "language_suggestion": SimpleLazyObject(lambda: suggested(request) or ""),
        "javascript_catalog_url": SimpleLazyObject(javascript_catalog_url),
    }


# The project's own catalogues (LOCALE_PATHS, always read; aysekai_site has no locale of its
# own), not the admin's scripts' strings.
_catalog = JavaScriptCatalog.as_view(packages=["aysekai_site"])
# At the current build's URL it is kept a day (a browser then asks again with its ETag); at any
# other URL (no build, an old one) an hour, so a page from before a deploy still gets strings.
CATALOG_MAX_AGE = 24 * 60 * 60
CATALOG_MAX_AGE_ELSEWHERE = 60 * 60


@require_safe
def javascript_catalog(request: HttpRequest) -> HttpResponseBase:
    """`gettext`, `ngettext` and `interpolate` for the site's scripts, in the path's language
    (/jsi18n/, /tr/jsi18n/, /ar/jsi18n/): a plain script (the CSP allows no inline one), the
    same for everyone: public, even with a session, and a 304 for a copy still current. The
    build covers the translations (`versions.code_version` reads locale/)."""
    build = code_version()
    etag = f'W/"{build}-{translation.get_language()}"'
    response = get_conditional_response(request, etag=etag) or _catalog(request)
    response.headers["ETag"] = etag
    age = CATALOG_MAX_AGE if request.GET.get("v") == build else CATALOG_MAX_AGE_ELSEWHERE
    response.headers["Cache-Control"] = f"public, max-age={age}"
    return same_for_everyone(response)


class PageLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, and on a first visit offered another language the cookie
    that says the visitor has been asked (set to the page's language)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        if (
            response.status_code == 200
            and suggestion(request) is not None
            and response.get("Content-Type", "").startswith("text/html")
            and not wants_fragment(request)
        ):
            remember(response, request.LANGUAGE_CODE)
            patch_vary_headers(response, ("Cookie",))
        return response


def remember[R: HttpResponseBase](response: R, code: str) -> R:
    """The language cookie: the visitor was asked (a first visit), or the person chose `code`
    in their settings; either way nothing more is suggested."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response
