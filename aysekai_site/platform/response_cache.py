"""Visitors' public pages answered whole from the shared cache, before most of the middleware.

A view opts in with `@for_visitors(...)`. The middleware sits right after whitenoise and
before the compression, the CSP and the sessions: what it stores is the final response
(gzipped or not, with the headers inner middleware add) and what it answers skips all of
them, the URL's view and its template. The middleware outside it (request id, log, metrics,
security headers) runs for every request, and sees the view's name as usual.

- **Who**: a GET or HEAD with neither the session cookie nor the messages cookie
  (`is_public`): nothing on the page can be theirs. Everyone else goes past untouched, and
  their responses are never stored.
- **Key**: the build (`versions.code_version`), the host, the path and query string (which
  say the language), the language suggested on a first visit (`languages.variant`), whether
  gzip is accepted (as GZipMiddleware decides), whether htmx wants the fragment, and what the view
  adds (the day). The entry holds the version of the data it was made from (`version=`); an
  entry made at another version is rendered again and overwritten, so old versions leave
  nothing behind. An entry is fixed by its key and version, so each process keeps copies of
  the ones it served: a hit reads one short value from the cache (the version), not the page.
- **What is stored**: a 200 that sets no cookie, is not `private`, `no-store` or `no-cache`,
  varies on nothing the key leaves out, used no CSRF token and no CSP nonce, and that its view
  did not mark with `not_stored`. If-None-Match with its ETag answers 304; HEAD gets no body.
- **Query strings**: a view without `queries=` is cached only at its bare path. With it, at
  most that many entries for new query strings are made per `timeout` (a counter in the cache),
  so a stream of made-up queries cannot fill the cache: what is over the budget is rendered as
  it would be without this cache.
- **The cache down**: every read and write fails open (fragment_cache): the page is rendered,
  or answered from this process's copy while the version, then read from the database, matches.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeGuard

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from . import languages
from .counters import increment
from .fragment_cache import cache_key, fetch, keep
from .htmx import wants_fragment
from .versions import SharedVersion, code_version

COMMAS = re.compile(r"\s*,\s*")
POLICY = "visitor_cache"
NOT_STORED = "visitor_cache_refused"
# Request headers the key covers (Cookie: only requests without the two cookies are served).
KEYED_VARY = frozenset({"cookie", "accept-encoding", "hx-request"})
UNSTORABLE = frozenset({"private", "no-store", "no-cache"})
# Headers that describe the body, which a 304 does not carry.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})
# Pages each process keeps in memory (a page is at most ~40 KB: a few MB at worst).
COPIES = 128


def is_public(request: HttpRequest) -> bool:
    """True when the page can show nothing of the requester's: no session, no messages."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


@dataclass(frozen=True)
class Policy:
    timeout: int
    version: SharedVersion | None
    parts: Callable[[HttpRequest], tuple[object, ...]] | None
    queries: int


def for_visitors[V: Callable[..., Any]](
    *,
    timeout: int,
    version: SharedVersion | None = None,
    parts: Callable[[HttpRequest], tuple[object, ...]] | None = None,
    queries: int = 0,
) -> Callable[[V], V]:
    """Let the middleware answer visitors with this view's stored page.

    `version`: the data the page shows; `parts`: what else it shows that the URL does not say
    (cheap: it runs on every request); `queries`: new query strings stored per `timeout`.
    """

    def decorate(view: V) -> V:
        setattr(view, POLICY, Policy(timeout, version, parts, queries))
        return view

    return decorate


def not_stored[R: HttpResponseBase](response: R) -> R:
    """Keep this response out of the cache (a page showing an invalid query)."""
    setattr(response, NOT_STORED, True)
    return response


def storable(response: HttpResponseBase, request: HttpRequest) -> TypeGuard[HttpResponse]:
    if (
        not isinstance(response, HttpResponse)  # streamed
        or response.status_code != 200
        or response.cookies
        or getattr(response, NOT_STORED, False)
        # The page holds a CSRF token, or a nonce the CSP trusts: both are one visitor's.
        or "CSRF_COOKIE_NEEDS_UPDATE" in request.META
        or "'nonce-" in response.get("Content-Security-Policy", "")
    ):
        return False
    control = {
        d.split("=")[0].strip().lower() for d in COMMAS.split(response.get("Cache-Control", ""))
    }
    vary = {v.strip().lower() for v in COMMAS.split(response.get("Vary", "")) if v.strip()}
    return not control & UNSTORABLE and vary <= KEYED_VARY


def answer(request: HttpRequest, headers: list[tuple[str, str]], body: bytes) -> HttpResponseBase:
    """The stored page, a 304 for the visitor's own copy, or what another precondition says."""
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    response = get_conditional_response(request, etag=etag) if etag else None
    if response is None:
        response = HttpResponse(b"" if request.method == "HEAD" else body)
    elif response.status_code == 304:
        headers = [(name, value) for name, value in headers if name.lower() not in BODY_HEADERS]
    else:
        return response
    for name, value in headers:
        response.headers[name] = value
    return response


class Entry(NamedTuple):
    version: str  # of the data the page was made from ("" for a page without one)
    headers: list[tuple[str, str]]
    body: bytes


class VisitorPagesMiddleware:
    """Answers from this process's copies while their version is current, else from the
    shared cache (copied here), else renders and stores the page in both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        code_version()  # when the process starts, not during its first request
        self.copies: dict[str, Entry] = {}
        self.copying = threading.Lock()  # `runserver` serves in threads

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        policy = self.policy(request)
        if policy is None:
            return self.get_response(request)
        key = cache_key(
            "visitor-page",
            code_version(),
            request.get_host(),  # the page's absolute links (hreflang) name it
            request.get_full_path(),  # which holds the language (languages.py)
            *languages.variant(request),
            bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))),
            wants_fragment(request),
            *(policy.parts(request) if policy.parts else ()),
        )
        version = policy.version.current() if policy.version else ""
        entry = self.copies.get(key)
        if entry is None or entry.version != version:
            stored = fetch(key).get(key)
            entry = stored if isinstance(stored, Entry) else None
            if entry is not None and entry.version == version:
                self.copy(key, entry)
        if entry is not None and entry.version == version:
            return answer(request, entry.headers, entry.body)
        response = self.get_response(request)
        if storable(response, request) and self.admit(request, policy, replaces=entry is not None):
            entry = Entry(version, list(response.items()), response.content)
            keep(key, entry, policy.timeout)
            self.copy(key, entry)
        return response

    def copy(self, key: str, entry: Entry) -> None:
        with self.copying:
            self.copies.pop(key, None)
            if len(self.copies) >= COPIES:
                del self.copies[next(iter(self.copies))]  # the oldest
            self.copies[key] = entry

    def policy(self, request: HttpRequest) -> Policy | None:
        """The view's policy when this request may be answered from the cache."""
        if request.method not in ("GET", "HEAD") or not is_public(request):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        policy: Policy | None = getattr(match.func, POLICY, None)
        if policy is None or (request.META.get("QUERY_STRING") and not policy.queries):
            return None
        request.get_host()  # refuses a Host not allowed (400), as CommonMiddleware would
        request.resolver_match = match  # for the request log and the metrics, on a hit too
        return policy

    def admit(self, request: HttpRequest, policy: Policy, *, replaces: bool) -> bool:
        """Within the view's budget of new query strings (a bare path, or a replacement, is)."""
        if replaces or not request.META.get("QUERY_STRING"):
            return True
        match = request.resolver_match
        budget = cache_key("visitor-page-budget", code_version(), match.view_name if match else "")
        return increment(budget, timeout=policy.timeout) <= policy.queries
