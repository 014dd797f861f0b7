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
    exclude = ("report",)
