"""The public, read-only names API (`/api/`, issue 16): django-ninja, its OpenAPI 3.1 document
at `/api/openapi.json`, and the site's own page of documentation at `/api/`."""
