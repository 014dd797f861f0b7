"""Import jobs in the admin: read-only, without the report's details."""

from __future__ import annotations

from django.contrib import admin

from aysekai_site.platform.admin import ReadOnlyAdmin

from ..models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "owner", "status", "imported", "skipped", "rejected", "size")
    list_filter = ("status",)
    list_select_related = ("owner",)
    # The page's order (the fields every job shares would otherwise come first).
    fields = (
        "owner", "original_name", "file", "size", "status", "progress", "imported", "skipped",
        "rejected", "error", "created_at", "started_at", "finished_at",
    )  # fmt: skip
    exclude = ("report",)
