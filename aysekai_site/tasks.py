"""Site-wide tasks."""

from celery import shared_task


@shared_task(name="aysekai_site.ping", acks_late=False, ignore_result=False)
def ping() -> str:
    """Answer at once: proves that a worker is consuming the queue (see `check_worker`)."""
    return "pong"
