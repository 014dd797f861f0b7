"""The names: all 99 (or those a search finds, with the site's own search), one by its number,
and the name of the day (the same for everyone on a UTC date, as the home page)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from ..catalogue.search import search
from ..catalogue.translations import with_translations
from ..models import NAME_COUNT, DivineName
from ..text import fold
from . import public
from .schemas import Invalid, Name, NameList, NameOfTheDay, Problem

router = Router(tags=["names"])
# HEAD and a browser's preflight (OPTIONS, `public.preflight`) are answered too, but only GET
# is in the OpenAPI document: the others are HTTP's, not the API's.
HIDDEN = ["HEAD", "OPTIONS"]


def public_get(path: str, **documented: Any) -> Callable[[View], View]:
    """A public GET at `path`, documented, and its HEAD and OPTIONS, not."""

    def register(view: View) -> View:
        router.api_operation(["GET"], path, **documented)(view)
        router.api_operation(HIDDEN, path, include_in_schema=False)(view)
        return view

    return register


QUERY_MAX = 200
View = Callable[..., HttpResponse]  # as the names page's search box


def _name(name: DivineName, request: HttpRequest) -> dict[str, Any]:
    data = {field: getattr(name, field) for field in Name.model_fields if field != "url"}
    data["quran_references"] = name.references
    data["url"] = request.build_absolute_uri(name.get_absolute_url())
    return Name.model_validate(data).model_dump(mode="json")


class Search(Schema):
    q: str | None = Field(
        None,
        max_length=QUERY_MAX,
        description="Words to find: number, name, meaning, Arabic, description, commentary "
        "and verse, ignoring marks",
    )


@public_get("/names/", response={200: NameList, 422: Invalid, 429: Problem},
                      summary="All 99 names, or those a search finds")  # fmt: skip
def names(request: HttpRequest, filters: Query[Search]) -> HttpResponse:
    if request.method == "OPTIONS":
        return public.preflight()
    query = filters.q if filters.q and filters.q.strip() else None

    def body() -> dict[str, Any]:
        found = list(DivineName.objects.order_by("number"))
        if query is not None:  # in every language the site has: "merhametli" finds 1
            found = search(with_translations(found), query)
        results = [_name(name, request) for name in found]
        return NameList.model_validate(
            {"count": len(results), "query": query, "results": results}
        ).model_dump(mode="json")

    return public.answer(request, ("names", fold(query) if query else None), body)


@public_get("/names/of-the-day/",
                      response={200: NameOfTheDay, 429: Problem},
                      summary="The name of the day (UTC)")  # fmt: skip
def of_the_day(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return public.preflight()
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    midnight = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(),
                                         tzinfo=datetime.UTC)  # fmt: skip
    until_midnight = max(1, int((midnight - now).total_seconds()))

    def body() -> dict[str, Any]:
        name = DivineName.objects.of_the_day(today)
        assert name is not None  # noqa: S101 (the 99 are loaded with the site)
        return NameOfTheDay.model_validate(
            {"date": today, "name": _name(name, request)}
        ).model_dump(mode="json")

    return public.answer(request, ("of-the-day", today), body,
                         max_age=min(public.MAX_AGE, until_midnight))  # fmt: skip


@public_get("/names/{number}/",
                      response={200: Name, 404: Problem, 429: Problem},
                      summary="One name, by its number")  # fmt: skip
def name(request: HttpRequest, number: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return public.preflight()
    found = int(number) if number.isascii() and number.isdigit() and len(number) <= 2 else 0
    if not 1 <= found <= NAME_COUNT:
        return public.problem(404, f"There is no name {number[:10]!r}: the names are 1 to 99.")

    def body() -> dict[str, Any]:
        return _name(DivineName.objects.get(number=found), request)

    return public.answer(request, ("name", found), body)
