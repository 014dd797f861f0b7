"""The stats page's markup, everything inside the site's frame, cached per person.

Rendering a year of days and the 99 names costs a page most of its time, and the markup changes
only with what it shows, so it is kept in the shared cache (`stats_cache.cached_page`, one slot
per person) and made again when any of these moves:

- the person's fingerprint: their entries and their time zone (`stats_cache.fingerprint`);
- their learning's (`learn.progress.fingerprint`): the names known beside the names met;
- their local today: the calendar's last day and the current streak;
- whether they see streaks;
- the catalogue version (`CATALOGUE_VERSION`): the most drawn names' words;
- the build (`code_version()`): a deploy that changes the template or the code that writes the
  markup never serves a page of the last one.

What it holds: numbers, dates, the time zone's name, links and the catalogue's own words. Never
a word of the journal (the intention and reflection are not even read, `stats`). It is rendered
without the request, so neither the CSRF token of the frame's sign-out form nor a message can
end up in it: `base.html` around it is rendered for every request.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from aysekai_site.platform.versions import code_version

from ..learn import progress
from ..models import CATALOGUE_VERSION
from . import heatmap, stats, stats_cache
from .stats_cache import Fingerprint

if TYPE_CHECKING:
    from accounts.models import User

TEMPLATE = "meditation/stats.html"


def markup(user: User) -> SafeString:
    """The person's stats as markup: from the cache (one query, and the catalogue version), else
    made."""
    today = stats.local_today(stats.user_zone(user.time_zone))
    seen = stats_cache.fingerprint(user, as_request_began=True)  # the stats view is a GET
    shows = (
        seen,
        progress.fingerprint(user, as_request_began=True),
        today.isoformat(),
        user.show_streaks,
        CATALOGUE_VERSION.current(),
        code_version(),
    )
    return stats_cache.cached_page(user, shows, lambda: _render(user, today, seen))


def _render(user: User, today: datetime.date, seen: Fingerprint) -> SafeString:
    numbers = stats.user_stats(user, today=today, seen=seen)
    context = {
        "stats": numbers,
        "time_zone": user.time_zone,
        # Left out entirely, not just hidden, for users who would rather not see them.
        "streaks": numbers.streaks if user.show_streaks else None,
        "heatmap": heatmap.render(numbers.calendar),
        "day_list": heatmap.day_list(numbers.calendar),
        "names_met": heatmap.names_met(numbers.names),
        "levels": heatmap.LEVELS,
        "learning": progress.progress_of(user, today),
    }
    return render_to_string(f"{TEMPLATE}#content", context)
