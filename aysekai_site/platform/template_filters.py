"""Template filters every template has (`TEMPLATES["OPTIONS"]["builtins"]`).

- **`iso_time`**: a datetime as a `<time datetime>` attribute wants it: ISO 8601 in the active
  time zone, to the second. Django's `date:"c"` writes microseconds, and HTML allows at most
  three digits of a second (issue 14: the Nu Html Checker reports it).
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=False)
def iso_time(value: datetime.datetime | None) -> str:
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")
