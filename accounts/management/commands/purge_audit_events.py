from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.audit import purge_expired


class Command(BaseCommand):
    help = "Remove audit events older than AUDIT_RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        self.stdout.write(
            f"Removed {deleted} audit events older than {settings.AUDIT_RETENTION_DAYS} days."
        )
