"""Export jobs in the admin: retry, expire, and the staff exports (catalogue, dataset)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.requests import AuthenticatedRequest

from .. import jobs
from ..audit import Action
from ..models import ExportJob, JobStatus


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Export jobs; staff can also start the catalogue and anonymised-dataset exports here."""

    change_list_template = "admin/meditation/exportjob/change_list.html"
    list_display = ("created_at", "owner", "kind", "format", "status", "progress", "size", "rows")
    list_filter = ("status", "kind", "format")
    list_select_related = ("owner",)
    search_fields = ("id",)
    # The page's order (the fields every job shares would otherwise come first).
    fields = (
        "id", "owner", "kind", "format", "date_from", "date_to", "status", "progress", "rows",
        "file", "size", "sha256", "error", "attempts", "created_at", "started_at",
        "finished_at", "expires_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("retry_jobs", "expire_jobs")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        start = self.admin_site.admin_view(require_POST(self.start_staff_export))
        return [
            path("start/<str:kind>/", start, name="meditation_exportjob_start"),
            *super().get_urls(),
        ]

    def start_staff_export(self, request: AuthenticatedRequest, kind: str) -> HttpResponse:
        formats: dict[str, str] = {ExportJob.Kind.CATALOGUE: "csv", ExportJob.Kind.DATASET: "zip"}
        if kind not in formats:
            messages.error(request, "Unknown export.")
            return redirect("admin:meditation_exportjob_changelist")
        refusal = jobs.export_limit_reached(request.user)
        if refusal:
            messages.error(request, refusal)
            return redirect("admin:meditation_exportjob_changelist")
        job = ExportJob.objects.create(owner=request.user, kind=kind, format=formats[kind])
        audit.record(request, Action.EXPORT_REQUESTED, job, kind=kind)
        if jobs.enqueue(request, job):
            messages.success(
                request, "The export is being prepared; download it from your Exports page."
            )
        return redirect("admin:meditation_exportjob_changelist")

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset) -> None:
        retried = held = 0
        for job in queryset.filter(status=JobStatus.FAILED).select_related("owner"):
            # Staff retries count towards the owner's limit like the owner's own requests.
            if jobs.export_limit_reached(job.owner):
                held += 1
            elif jobs.requeue(request, job):
                retried += 1
            else:
                # The broker is down (its message is shown once): the others would each wait
                # for the connection to time out, and fail the same way.
                break
        self.message_user(request, f"{retried} job(s) queued again.")
        if held:
            self.message_user(
                request,
                f"{held} job(s) not retried: their owner already has "
                f"{settings.EXPORT_MAX_UNFINISHED} exports in progress.",
                messages.WARNING,
            )

    @admin.action(description="Expire the selected jobs now (delete their files)")
    def expire_jobs(self, request: HttpRequest, queryset) -> None:
        expired = 0
        for job in queryset:
            if jobs.expire(job):
                audit.record(request, audit.Action.ADMIN_CHANGE, job, admin_action="expired")
                expired += 1
        self.message_user(request, f"{expired} job(s) expired.")
