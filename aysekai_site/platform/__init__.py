"""The platform layer: the few project modules that apps may import.

- `admin`: `ReadOnlyAdmin`, for models the admin shows but never changes.
- `cache_control`: the middleware that marks every response involving a session
  `private, no-store` (and `mark_private`, the rule itself).
- `counters`: `increment`, a counter in the shared cache (rate limits, shared metrics), failing
  open when the cache is down.
- `fragment_cache`: rendered markup kept in the shared cache (the catalogue), failing open;
  `fetch` and `keep`, its two halves.
- `htmx`: the one way a view answers htmx (`render_page_or_fragment`, `render_fragment`).
- `ip`: `client_ip`, the client's address behind the trusted proxies (lockout, rate limits,
  audit, /metrics).
- `metrics`: `count_shared` and the registration of an app's collectors for /metrics.
- `request_context`: `current_request`, for code that has no request argument.
- `requests`: `HtmxHttpRequest`, the request type the middleware makes.
- `response_cache`: visitors' pages answered whole from the cache before most of the
  middleware, for the views marked `for_visitors`.
- `versions`: `SharedVersion`, a version of some data in the shared cache, moved by its
  writes; `code_version`, the build's digest.

Everything here is app-agnostic: it imports no app and no other module of aysekai_site, and
apps import nothing else of aysekai_site (import-linter contracts in pyproject.toml check
both). Apps plug their own knowledge in (metrics, audit actions) from AppConfig.ready().
"""
