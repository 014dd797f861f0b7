"""The Celery application, and how its workers log.

Configuration comes from Django settings prefixed CELERY_. Workers and beat log through Django's
LOGGING (JSON lines in production, as the web's), not Celery's own set-up. A task queued while a
request is served carries that request's id in a message header; while the task runs, the id is
`task_request_id`, which the log filter puts on every line the task writes.
"""

from __future__ import annotations

import logging.config
import os
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from .platform.request_context import current_request_id, task_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aysekai_site.settings")

# The message header that carries the originating request's id to the worker.
REQUEST_ID_HEADER = "request_id"
# Where enter_task leaves what leave_task needs to restore the previous request id.
_RESET_ATTRIBUTE = "aysekai_request_id_reset"

app = Celery("aysekai_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """Workers and beat log as the web does. Connecting this stops Celery from configuring
    logging itself; its --loglevel is then ignored: LOG_LEVEL sets the level everywhere."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def carry_request_id(headers: dict[str, Any], **kwargs: Any) -> None:
    """Put the id of the request being served (or of the task being run) in the message."""
    request_id = current_request_id()
    if request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def enter_task(task: Task, **kwargs: Any) -> None:
    request = task.request
    # A worker finds the header among the request's attributes. An eager task was never
    # published: it runs inside the request (or task) that queued it, so that one's id is current.
    request_id = getattr(request, REQUEST_ID_HEADER, None) or current_request_id()
    setattr(request, _RESET_ATTRIBUTE, task_request_id.set(request_id))


@task_postrun.connect
def leave_task(task: Task, **kwargs: Any) -> None:
    token = getattr(task.request, _RESET_ATTRIBUTE, None)
    if token is not None:
        task_request_id.reset(token)
