"""The journal's periodic work: emptying the trash (Celery beat)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts import audit

from ..audit import Action
from ..models import MeditationSession


@shared_task(name="meditation.purge_trash")
def purge_trash() -> int:
    """Delete for good the entries that have been in the trash longer than the retention."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.TRASH_RETENTION_DAYS)
    expired = MeditationSession.objects.in_trash().filter(deleted_at__lt=cutoff)
    # The entries only, not their search tokens (deleted with them).
    deleted = expired.delete()[1].get(MeditationSession._meta.label, 0)
    if deleted:
        audit.record(None, Action.ENTRY_PURGED, count=deleted)
    return deleted
