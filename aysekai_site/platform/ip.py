"""The client's IP address, read the same way everywhere (lockout, rate limits, audit)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so with N proxies the client is the N-th entry from the right; anything further left was
    written by the client and is not trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if not hops:
        return remote
    candidate = hops[-count] if len(hops) >= count else hops[0]
    return candidate if _valid(candidate) else remote
