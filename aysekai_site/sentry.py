"""Sentry error reporting, configured so that no journal text or secret ever leaves.

sentry-sdk attaches request bodies and frame locals by default, even with
send_default_pii=False: both are turned off, and `scrub` removes what remains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

FILTERED = "[Filtered]"
SENSITIVE_KEYS = {
    "intention", "reflection", "prompt", "password", "current_password", "old_password",
    "new_password1", "new_password2", "password1", "password2", "token", "secret", "q",
    "csrfmiddlewaretoken", "sessionid", "cookie", "authorization", "field_encryption_keys",
    "secret_key",
}  # fmt: skip


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: FILTERED if str(k).lower().lstrip("_").removeprefix("host-") in SENSITIVE_KEYS
            else _scrub(v)
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: drop request bodies, cookies and query strings; filter sensitive keys."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: v for k, v in headers.items() if k.lower() not in ("cookie", "authorization")
            }
        if "url" in request and isinstance(request["url"], str):
            request["url"] = request["url"].split("?", 1)[0]
    for frames_holder in _frames(event):
        for frame in frames_holder:
            frame.pop("vars", None)
    for key in ("extra", "contexts", "tags"):
        if key in event:
            event[key] = _scrub(event[key])
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = [_scrub(b) for b in breadcrumbs.get("values", [])]
    return event


def _frames(event: dict[str, Any]):
    for exception in (event.get("exception") or {}).get("values", []) or []:
        yield (exception.get("stacktrace") or {}).get("frames", []) or []
    for thread in (event.get("threads") or {}).get("values", []) or []:
        yield (thread.get("stacktrace") or {}).get("frames", []) or []


def _before_send(event: Event, hint: Hint) -> Event | None:
    # scrub() works on the event as the plain dict it is at run time.
    return cast("Event", scrub(cast("dict[str, Any]", event), hint))


def init_sentry(dsn: str, *, environment: str, release: str | None, **options: Any) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=_before_send,
        **options,
    )
