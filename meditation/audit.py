"""Meditation's audit actions: what its features write to the trail (accounts.audit.record).

Registered from MeditationConfig.ready(); adding one needs no migration. The values are
stored, so they never change once released.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    ENTRY_CREATED = "entry_created", "created a journal entry"
    ENTRY_EDITED = "entry_edited", "edited a journal entry"
    ENTRY_DELETED = "entry_deleted", "moved a journal entry to the trash"
    ENTRY_RESTORED = "entry_restored", "restored a journal entry"
    ENTRY_PURGED = "entry_purged", "purged journal entries from the trash"
    EXPORT_REQUESTED = "export_requested", "requested an export"
    EXPORT_DOWNLOADED = "export_downloaded", "downloaded an export"
    EXPORT_RETRIED = "export_retried", "retried an export"
    IMPORT_REQUESTED = "import_requested", "imported a session log"
