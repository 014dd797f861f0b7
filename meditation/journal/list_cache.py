"""The journal list's rendered body, kept sealed in the shared cache per person (issue 13).

Rendering the filter form and a page of 20 rows (and counting what matches) is most of what
`/journal/` costs; the same page is asked for again and again (back from an entry, the next
page and back, the same search) while nothing it shows has moved. So that markup (the filters
as asked, the count, the rows, the pager, or the empty state) is kept, under a key that names
everything it shows:

- the person's journal fingerprint (`stats_cache.fingerprint`: any change to their entries,
  in any process, moves it), their time zone (the times) and the build, so nothing has to be
  invalidated by hand;
- the query parameters (filters, words, page).

The catalogue version (the names' Arabic and transliteration) is kept with the markup rather
than in its key: it comes with the session (`platform.versions.get_with_versions`), and markup
made at another version is made again. Each process also keeps the last pages it served,
sealed as in the shared cache (`recent`, as the stats page's): a key names its content for
good, so a copy under the same key and version is the same markup, and serving it saves the
round trip.

The markup holds journal text (the intentions), so it is never kept readable: it is sealed
with the field encryption (Fernet under FIELD_ENCRYPTION_KEYS, as the entries are), and its key
is an HMAC of its parts under a key of the person's own (`crypto.person_mac`), so that neither
a search's words nor anything else readable appears in the cache. A key no longer configured
cannot unseal it: that is a miss. A cache that cannot be reached is skipped (the results are
rendered), through the same fail-open reads and writes as the other caches
(`platform/fragment_cache.py`). The page around it (the header,
the messages, the sign-out form's CSRF token) is rendered for every request; a form with
errors is never kept (it is cheap: nothing is searched).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cryptography.fernet import InvalidToken
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from aysekai_site.platform.fragment_cache import fetch, keep

from .. import crypto
from ..models import CATALOGUE_VERSION
from .stats_cache import Recent

if TYPE_CHECKING:
    from accounts.models import User

TIMEOUT = 15 * 60  # only frees the space: a key names its content for good
_CONTEXT = b"aysekai journal list cache v1"
# This process's copies: sealed markup by key, with the version it was made at.
recent: Recent[bytes] = Recent(size=256, ttl=lambda: TIMEOUT)


def key(user: User, parts: tuple[object, ...]) -> str:
    mac = crypto.person_mac(_CONTEXT, user.pk)
    mac.update("\x1f".join(map(str, (get_language(), *parts))).encode("utf-8"))
    return f"meditation:journal-list:{user.pk}:{mac.hexdigest()[:40]}"


def sealed_results(user: User, parts: tuple[object, ...], render: Callable[[], str]) -> SafeString:
    """The markup for `parts` from this process's copy or the cache, or `render()`ed and kept,
    sealed, with the catalogue version it was made at: markup made at another version is made
    again (and replaces it). What comes back from the cache is our own rendered markup: Fernet
    authenticates it, so a cache that was written by anyone without the keys cannot put markup
    into the page."""
    where = key(user, parts)
    version = CATALOGUE_VERSION.current()  # read with the session: no round trip of its own
    sealed = recent.get(where, version)
    if sealed is None:  # this process has no copy: the shared one, if made at this version
        kept = fetch(where).get(where)
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version:
            sealed = kept[1]
    if sealed is not None:
        try:
            markup = crypto.fernet().decrypt(sealed).decode("utf-8")
        except InvalidToken:  # sealed under a key no longer configured
            pass
        else:
            recent.put(where, version, sealed)
            return mark_safe(markup)  # noqa: S308 (our own markup, authenticated by Fernet)
    markup = render()
    sealed = crypto.fernet().encrypt(markup.encode("utf-8"))
    keep(where, (version, sealed), TIMEOUT)
    recent.put(where, version, sealed)
    return mark_safe(markup)  # noqa: S308 (rendered by the template engine)
