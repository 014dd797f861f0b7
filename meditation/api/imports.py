"""`POST /api/import/` and `GET /api/import/<id>/`: a program of the person's (`aysekai push`)
imports their session log with a personal token scoped "import sessions", through the same
importer as the web import (`imports.start`), and reads the same report.

The token comes in `Authorization: Bearer …` and nowhere else (no cookie, no CSRF, no CORS: no
other site's page can use it through a browser). Each use is audited; a refused token is too.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.security import HttpBearer

from accounts import audit, personal_tokens
from accounts.audit import Action
from accounts.models import PersonalToken, TokenScope
from accounts.ratelimit import hit
from aysekai_site.platform.ip import client_ip

from ..imports import start
from ..imports.forms import ImportForm
from ..models import ImportJob
from .schemas import ImportReport, Problem, Refused

router = Router(tags=["import"])
REASONS = {
    "unknown": "That token is not one of ours.",
    "revoked": "That token was revoked.",
    "scope": "That token may not import sessions.",
    "inactive": "That account can no longer sign in.",
}
IMPORT_RATE = "60/m"  # uses of the import per IP: an upload is work


class Token(HttpBearer):
    """A personal token with the import scope; the request's `auth` is the token."""

    def authenticate(self, request: HttpRequest, token: str) -> PersonalToken | None:
        found, why = personal_tokens.authenticate(token, TokenScope.IMPORT)
        if found is None:
            audit.record(request, Action.TOKEN_REFUSED, None, reason=why)
            request.token_refusal = why  # type: ignore[attr-defined]
        return found


def _report(job: ImportJob) -> dict[str, Any]:
    return {
        "id": str(job.pk),
        "status": job.status,
        "url": f"/api/import/{job.pk}/",
        "imported": job.imported,
        "skipped": job.skipped,
        "rejected": job.rejected,
        "report": job.report,
        "error": job.error,
    }


@router.post("/import/", auth=Token(),
             response={200: ImportReport, 202: ImportReport, 400: Refused, 401: Problem,
                       403: Problem, 429: Problem},
             summary="Import a session log of the command-line tool (needs a token)")  # fmt: skip
def import_log(request: HttpRequest) -> HttpResponse:
    """Multipart: `file`, the log (CSV, or encrypted), and `key` for an encrypted one. 200 when
    imported during the request, 202 while the worker has it: poll its `url`."""
    token: PersonalToken = request.auth  # type: ignore[attr-defined]
    if not hit("api-import", client_ip(request), IMPORT_RATE):
        return JsonResponse({"detail": "Too many imports from this address."}, status=429,
                            headers={"Retry-After": "60"})  # fmt: skip
    form = ImportForm(request.POST, request.FILES)
    personal_tokens.record_use(request, token, endpoint="import")
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return JsonResponse({"detail": first, "errors": errors}, status=400)
    job = start.start_import(request, token.user, form, via="api")
    return JsonResponse(_report(job), status=200 if job.finished else 202)


@router.get("/import/{job_id}/", auth=Token(),
            response={200: ImportReport, 401: Problem, 403: Problem, 404: Problem},
            summary="An import's status and report (needs a token)")  # fmt: skip
def import_report(request: HttpRequest, job_id: str) -> HttpResponse:
    token: PersonalToken = request.auth  # type: ignore[attr-defined]
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        pk = None
    job = ImportJob.objects.filter(owner=token.user, pk=pk).first() if pk else None
    if job is None:
        return JsonResponse({"detail": "No such import of yours."}, status=404)
    return JsonResponse(_report(job))
