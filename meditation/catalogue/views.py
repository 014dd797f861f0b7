"""Public pages: home, the names, one name, about."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from aysekai_site.platform.htmx import render_page_or_fragment

from ..models import DivineName
from .forms import NameSearchForm
from .search import nothing_to_search, search

GRID_FIELDS = ("number", "slug", "arabic", "transliteration", "meaning")


def _utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = _utc_today()
    name = DivineName.objects.of_the_day(today)
    return render(request, "meditation/home.html", {"name": name, "today": today})


@require_safe
def name_list(request: HttpRequest) -> HttpResponse:
    form = NameSearchForm(request.GET)
    names = list(DivineName.objects.only(*GRID_FIELDS))
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = search(names, query) if form.is_valid() else []
    context = {
        "form": form,
        "query": query,
        "results": results,
        "total": len(names),
        "nothing_to_search": nothing_to_search(query),
    }
    # htmx swaps only the result list.
    return render_page_or_fragment(request, "meditation/name_list.html", "results", context)


@require_safe
def name_detail(request: HttpRequest, number: int) -> HttpResponse:
    name = get_object_or_404(DivineName, number=number)
    return render(request, "meditation/name_detail.html", {"name": name})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "meditation/about.html")
