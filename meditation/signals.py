"""Files follow their rows: deleting a job (or the account that owns it) deletes its file.
The cached catalogue pages follow the names: any write to one moves the catalogue version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import private_files
from .models import CATALOGUE_VERSION, DivineName, ExportJob, ImportJob, Job, NameTranslation


@receiver(post_delete, sender=ExportJob)
@receiver(post_delete, sender=ImportJob)
def delete_job_file(sender: Any, instance: Job, **kwargs: Any) -> None:
    private_files.delete(instance.file)


@receiver(post_save, sender=DivineName)
@receiver(post_delete, sender=DivineName)
def catalogue_changed(sender: Any, instance: DivineName, **kwargs: Any) -> None:
    """A save (the admin, a history revert, the CSV import) or a delete moves the version that
    every process checks its cached catalogue pages against."""
    CATALOGUE_VERSION.bump()


@receiver(post_save, sender=NameTranslation)
@receiver(post_delete, sender=NameTranslation)
def translation_changed(sender: Any, instance: NameTranslation, **kwargs: Any) -> None:
    """A name's translation is part of the name: its `updated_at` moves (and with it the
    catalogue's state and version, and the search's per-name texts)."""
    DivineName.objects.filter(pk=instance.name_id).update()
