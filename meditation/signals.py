"""Files follow their rows: deleting a job (or the account that owns it) deletes its file."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import private_files
from .models import ExportJob, ImportJob, Job


@receiver(post_delete, sender=ExportJob)
@receiver(post_delete, sender=ImportJob)
def delete_job_file(sender: Any, instance: Job, **kwargs: Any) -> None:
    private_files.delete(instance.file)
