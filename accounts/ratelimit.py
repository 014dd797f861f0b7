"""Fixed-window rate limits per client IP, counted in the cache (Redis in production)."""

from __future__ import annotations

import re
import time
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aysekai_site.platform.counters import increment
from aysekai_site.platform.ip import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/h' -> (5, 3600); '10/15m' -> (10, 900)."""
    match = _RATE.match(rate)
    if not match:
        raise ImproperlyConfigured(f"Bad rate {rate!r}: use count/period, e.g. 5/h or 10/15m.")
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3]
    return count, multiple * _SECONDS[unit]


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request; False once the limit for this window is passed."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    count = increment(f"ratelimit:{scope}:{key}:{window}", timeout=period + 5)
    return count <= limit


def limit_posts(scope: str, setting: str):
    """Refuse POSTs from one IP beyond settings.<setting> with a 429 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            rate = getattr(settings, setting)
            if request.method == "POST" and not hit(scope, client_ip(request), rate):
                return render(request, "429.html", {"reason": scope}, status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
