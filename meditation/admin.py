from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.audit import Action
from aysekai_site.admin import ReadOnlyAdmin

from .admin_names import DivineNameAdmin  # noqa: F401  (registers the names admin)
from .export_views import enqueue, requeue
from .models import ExportJob, ImportJob, JobStatus, MeditationSession
from .tasks import expire


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Export jobs; staff can also start the catalogue and anonymised-dataset exports here."""

    change_list_template = "admin/meditation/exportjob/change_list.html"
    list_display = ("created_at", "owner", "kind", "format", "status", "progress", "size", "rows")
    list_filter = ("status", "kind", "format")
    list_select_related = ("owner",)
    search_fields = ("id",)
    readonly_fields = [f.name for f in ExportJob._meta.fields]
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

    def start_staff_export(self, request: HttpRequest, kind: str) -> HttpResponse:
        formats = {ExportJob.Kind.CATALOGUE: "csv", ExportJob.Kind.DATASET: "zip"}
        if kind not in formats:
            messages.error(request, "Unknown export.")
            return redirect("admin:meditation_exportjob_changelist")
        job = ExportJob.objects.create(owner=request.user, kind=kind, format=formats[kind])
        audit.record(request, Action.EXPORT_REQUESTED, job, kind=kind)
        if enqueue(request, job):
            messages.success(
                request, "The export is being prepared; download it from your Exports page."
            )
        return redirect("admin:meditation_exportjob_changelist")

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset) -> None:
        retried = 0
        for job in queryset.filter(status=JobStatus.FAILED):
            retried += requeue(request, job)
        self.message_user(request, f"{retried} job(s) queued again.")

    @admin.action(description="Expire the selected jobs now (delete their files)")
    def expire_jobs(self, request: HttpRequest, queryset) -> None:
        expired = 0
        for job in queryset.exclude(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)):
            expire(job)
            audit.record(request, Action.ADMIN_CHANGE, job, admin_action="expired")
            expired += 1
        self.message_user(request, f"{expired} job(s) expired.")


@admin.register(MeditationSession)
class MeditationSessionAdmin(ReadOnlyAdmin):
    """Metadata only: intention and reflection are never shown (nor loaded) here."""

    METADATA = (
        "id", "user", "name", "started_at", "ended_at", "planned_seconds", "actual_seconds",
        "dhikr_count", "dhikr_target", "mood", "source", "deleted_at",
    )  # fmt: skip
    list_display = ("started_at", "user", "name", "minutes", "dhikr_count", "source", "in_trash")
    list_filter = ("name", "started_at", "source", ("deleted_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "name")
    date_hierarchy = "started_at"
    fields = METADATA
    readonly_fields = METADATA
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        # Never even decrypt the text: it is not selected.
        return super().get_queryset(request).defer("intention", "reflection")

    @admin.display(description="minutes")
    def minutes(self, obj: MeditationSession) -> int:
        return obj.minutes

    @admin.display(description="in trash", boolean=True)
    def in_trash(self, obj: MeditationSession) -> bool:
        return obj.deleted_at is not None


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "owner", "status", "imported", "skipped", "rejected", "size")
    list_filter = ("status",)
    list_select_related = ("owner",)
    exclude = ("report",)
