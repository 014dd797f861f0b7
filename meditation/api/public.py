"""How every public GET of the API answers: JSON any site may read (CORS `*`, and
`Cross-Origin-Resource-Policy: cross-origin`), cached by browsers and proxies for a few minutes,
with an ETag made from what the answer shows so that a revalidation is a 304 without the work,
and rate limited per IP (`API_RATE`).

Only these GETs carry CORS: the token-authenticated import (`/api/import/`) never does, so no
other site's page can use a person's token through their browser.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from accounts.ratelimit import hit, parse_rate
from aysekai_site.platform.ip import client_ip
from aysekai_site.platform.versions import code_version

from ..models import CATALOGUE_VERSION

MAX_AGE = 5 * 60  # a curator's edit reaches every reader within five minutes
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
    "Access-Control-Max-Age": "86400",
    "Cross-Origin-Resource-Policy": "cross-origin",
}


def with_cors(response: HttpResponse) -> HttpResponse:
    """CORS for a public GET's answer (and its errors)."""
    for header, value in CORS.items():
        response[header] = value
    return response


def preflight() -> HttpResponse:
    """The answer to a browser's OPTIONS before a GET with `If-None-Match`."""
    return with_cors(HttpResponse(status=204))


def problem(status: int, detail: str, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": detail}), status=status, content_type="application/json"
    )
    for header, value in headers.items():
        response[header] = value
    return with_cors(response)


def answer(request: HttpRequest, parts: tuple[object, ...], body: Callable[[], Any],
           max_age: int = MAX_AGE) -> HttpResponse:  # fmt: skip
    """`body()` as JSON, or a 304 when the client has it already. `parts` name what it shows
    (with the catalogue's version and the build, the ETag's source)."""
    rate = settings.API_RATE
    if not hit("api", client_ip(request), rate):
        _, period = parse_rate(rate)
        retry = str(math.ceil(period - time.time() % period))
        return problem(429, "Too many requests from this address; try again later.",
                       **{"Retry-After": retry})  # fmt: skip
    # The host too: each name's `url` is absolute.
    source = repr((CATALOGUE_VERSION.current(), code_version(), request.get_host(), *parts))
    etag = f'W/"{hashlib.sha256(source.encode()).hexdigest()[:32]}"'
    cache_control = f"public, max-age={max_age}"
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = cache_control
        return with_cors(not_modified)
    response = HttpResponse(
        json.dumps(body(), ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return with_cors(response)
