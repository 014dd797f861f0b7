"""`/api/`: the API's documentation for people, made from its own OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .api import api


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("head", "options"):
                continue
            found.append({
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "description": p.get("description") or p.get("schema", {}).get(
                         "description", "")}
                    for p in operation.get("parameters", [])
                ],
                "responses": sorted(operation.get("responses", {})),
                "auth": bool(operation.get("security")),
            })  # fmt: skip
    return found


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    context = {
        "info": schema["info"],
        "operations": _operations(schema),
        "base": request.build_absolute_uri("/api"),
    }
    return render(request, "meditation/api.html", context)
