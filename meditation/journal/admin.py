"""Journal entries in the admin: metadata only, never the text."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from aysekai_site.platform.admin import ReadOnlyAdmin

from ..models import MeditationSession


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
