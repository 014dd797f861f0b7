"""Public pages: home, the names, one name, about.

A visitor is answered with the whole stored page, before these views run (`for_visitors`).
Rendered, each page's markup of names comes from the cache at the catalogue version, and a
visitor's page carries an ETag (catalogue/page_cache.py); the header around it is rendered
every time.
"""

from __future__ import annotations

import datetime
import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from aysekai_site.platform.htmx import render_page_or_fragment
from aysekai_site.platform.response_cache import for_visitors, not_stored

from ..journal.practice import practice_of
from ..models import CATALOGUE_VERSION, DivineName
from .forms import NameSearchForm
from .page_cache import (
    PAGE_TIMEOUT,
    SEARCH_TIMEOUT,
    SEARCHES_STORED,
    catalogue_version,
    conditional,
    fragment,
    page_etag,
)
from .search import FIELDS as SEARCH_FIELDS
from .search import nothing_to_search, parse_number, search
from .translations import localize, localized, with_translations

GRID_FIELDS = ("number", "slug", "arabic", "transliteration", "meaning")


def _utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


@for_visitors(
    version=CATALOGUE_VERSION, parts=lambda request: (_utc_today(),), timeout=PAGE_TIMEOUT
)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = _utc_today()
    version = catalogue_version()

    def hero() -> str:
        name = DivineName.objects.of_the_day(today)
        context = {"name": localized(name) if name else None, "today": today}
        return render_to_string("meditation/home.html#hero", context)

    return conditional(
        request,
        page_etag(request, version, today),
        lambda: render(
            request,
            "meditation/home.html",
            {
                "hero": fragment(version, "home", today, render=hero),
                # A signed-in person's practice (never cached: the ETag is for visitors only).
                "practice": practice_of(request.user) if request.user.is_authenticated else None,
            },
        ),
    )


@for_visitors(version=CATALOGUE_VERSION, queries=SEARCHES_STORED, timeout=SEARCH_TIMEOUT)
@require_safe
def name_list(request: HttpRequest) -> HttpResponse:
    form = NameSearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data["q"] if valid else ""
    version = catalogue_version()

    def results() -> str:
        names = list(DivineName.objects.only(*GRID_FIELDS, *SEARCH_FIELDS))
        if query and parse_number(query) is None:  # words find a name in any language
            names = with_translations(names)
        context = {
            "form": form,
            "query": query,
            "results": localize(search(names, query)) if valid else [],
            "total": len(names),
            "nothing_to_search": nothing_to_search(query),
        }
        return render_to_string("meditation/name_list.html#results_markup", context)

    def page() -> HttpResponse:
        # Only the whole list is kept as a fragment: a search's results are kept with its page,
        # for visitors, within the budget of new queries (`for_visitors`).
        html = fragment(version, "results", render=results) if valid and not query else results()
        context = {"form": form, "query": query, "results_html": html}
        # htmx swaps only the result list.
        return render_page_or_fragment(request, "meditation/name_list.html", "results", context)

    response = conditional(request, page_etag(request, version, request.GET.urlencode()), page)
    # An invalid query's page shows what was typed: never stored.
    return response if valid else not_stored(response)


@for_visitors(version=CATALOGUE_VERSION, timeout=PAGE_TIMEOUT)
@require_safe
def name_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = catalogue_version()

    def parts() -> dict[str, str]:
        name = DivineName.objects.filter(number=number).first()
        if name is None:
            raise Http404("No such name.")  # not cached: the version moves when it is added
        template = "meditation/name_detail.html"
        return {
            part: render_to_string(f"{template}#{part}", {"name": localized(name)})
            for part in ("title", "description", "article")
        }

    def page() -> HttpResponse:
        content = fragment(version, "detail", number, render=parts)
        return render(request, "meditation/name_detail.html", {"page": content})

    return conditional(request, page_etag(request, version, number), page)


@for_visitors(timeout=PAGE_TIMEOUT)
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """Fixed text: a visitor's ETag comes from the rendered page itself."""
    response = render(request, "meditation/about.html")
    digest = hashlib.sha256(response.content).hexdigest()
    return conditional(request, page_etag(request, digest), lambda: response)
