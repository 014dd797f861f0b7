from celery import shared_task

from .audit import purge_expired


@shared_task(name="accounts.purge_audit_events")
def purge_audit_events() -> int:
    """Daily (Celery beat): drop audit events older than AUDIT_RETENTION_DAYS."""
    return purge_expired()
