"""The API object: its routers, its OpenAPI 3.1 document (`/api/openapi.json`), no generated
docs page of its own (the site's `/api/` page, `views.docs`, reads the document instead: no
script from elsewhere, the site's look, axe- and vnu-clean)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from . import imports, names, public

api = NinjaAPI(
    title="Aysekai",
    version="1.0.0",
    description=(
        "The 99 Beautiful Names as JSON, for other apps: read-only, public (CORS `*`), "
        "cacheable (ETag, Cache-Control) and rate limited per IP."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("/", names.router)
api.add_router("/", imports.router)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A parameter refused by its schema: 422, readable from any site like the answer."""
    return public.with_cors(api.create_response(request, {"detail": error.errors}, status=422))


@api.exception_handler(AuthenticationError)
def refused(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """No token, or one refused (`imports.Token`): 401, or 403 for a token without the scope."""
    why = getattr(request, "token_refusal", None)
    if why is None:
        detail = "Give a personal token: Authorization: Bearer <token> (made in your settings)."
    else:
        detail = imports.REASONS[why]
    response = api.create_response(
        request, {"detail": detail}, status=403 if why == "scope" else 401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response
