"""The stats page's long lists, written in Python: the practice calendar as a server-rendered
SVG heatmap (weeks as columns, Monday on top), its text alternative, and the names met.

Colours come from the `heat-0`..`heat-4` classes in site.css (the CSP forbids inline
styles). Every day is a <rect> with a <title> tooltip; the SVG as a whole is one image
labelled by its own <title> and <desc>, and the page gives a text alternative beside it.
A year of days and 99 names are formatted here, much faster than by the template's loops.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping

from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from ..models import NAME_COUNT
from .stats import Calendar, DayTotal, NameCell

CELL = 11
STEP = 13  # cell plus gap
LEFT = 30  # room for the weekday labels
TOP = 18  # room for the month labels
MIN_LABEL_GAP = 3  # columns between month labels, so that they never overlap
RIGHT = 12  # room for a month label that starts in one of the last columns (3 letters at 9px)

WEEKDAYS_LABELLED = (0, 2, 4)  # Monday, Wednesday, Friday

# (level, what it means): the legend and level() share these thresholds (minutes).
LEVELS = (
    (0, gettext_lazy("no practice")),
    (1, gettext_lazy("under 10 minutes")),
    (2, gettext_lazy("10 to 19 minutes")),
    (3, gettext_lazy("20 to 39 minutes")),
    (4, gettext_lazy("40 minutes or more")),
)


@functools.cache
def _month(month: int, language: str | None) -> str:
    """A month's short name in the page's language ("Jan", "Oca", "يناير")."""
    return date_format(datetime.date(2001, month, 1), "M")


@functools.cache
def _weekday(weekday: int, language: str | None) -> str:
    return date_format(datetime.date(2001, 1, 1 + weekday), "D")  # 2001-01-01 is a Monday


def level(day: DayTotal) -> int:
    if not day.sessions:
        return 0
    if day.minutes < 10:
        return 1
    if day.minutes < 20:
        return 2
    if day.minutes < 40:
        return 3
    return 4


# Counted words, in the page's language; kept per language and count (a year of cells).
@functools.cache
def _sessions(count: int, language: str | None) -> str:
    return ngettext("%(count)s session", "%(count)s sessions", count) % {"count": count}


@functools.cache
def _minutes(count: int, language: str | None) -> str:
    return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


def sessions_and_minutes(sessions: int, minutes: int) -> str:
    language = get_language()
    return gettext("%(sessions)s, %(minutes)s") % {
        "sessions": _sessions(sessions, language), "minutes": _minutes(minutes, language),
    }  # fmt: skip


def day_title(day: DayTotal) -> str:
    if not day.sessions:
        return gettext("No sessions on %(date)s") % {"date": day.day.isoformat()}
    return gettext("%(sessions_and_minutes)s on %(date)s") % {
        "sessions_and_minutes": sessions_and_minutes(day.sessions, day.minutes),
        "date": day.day.isoformat(),
    }


def _grid_start(start: datetime.date) -> datetime.date:
    return start - datetime.timedelta(days=start.weekday())


def _month_labels(cal: Calendar) -> list[tuple[int, str]]:
    grid_start = _grid_start(cal.start)
    labels = []
    for d in cal.days:
        if d.day == cal.start or d.day.day == 1:
            column = (d.day - grid_start).days // 7
            # A month that starts late in its first week is labelled on the next column.
            if d.day.weekday() > 3 and d.day != cal.start:
                column += 1
            labels.append((column, _month(d.day.month, get_language())))
    # Drop a label crowded by the next one (the window's first, partial month).
    return [
        label
        for label, following in zip(labels, [*labels[1:], None], strict=True)
        if following is None or following[0] - label[0] >= MIN_LABEL_GAP
    ]


def render(cal: Calendar, *, id_prefix: str = "heatmap") -> SafeString:
    grid_start = _grid_start(cal.start)
    columns = (cal.end - grid_start).days // 7 + 1
    width = LEFT + columns * STEP + RIGHT
    height = TOP + 7 * STEP

    # Numbers, ISO dates and our own words only (nothing a person typed), so the year's
    # cells are joined as they are, not escaped value by value (a tenth of the page's time).
    cells = mark_safe(  # noqa: S308
        "\n".join(
            f'<rect x="{LEFT + ((d.day - grid_start).days // 7) * STEP}" '
            f'y="{TOP + d.day.weekday() * STEP}" width="{CELL}" height="{CELL}" rx="2" '
            f'class="heat-{level(d)}" data-date="{d.day.isoformat()}">'
            f"<title>{escape(day_title(d))}</title></rect>"
            for d in cal.days
        )
    )
    months = format_html_join(
        "\n",
        '<text x="{}" y="{}" class="heatmap__label">{}</text>',
        ((LEFT + column * STEP, TOP - 6, name) for column, name in _month_labels(cal)),
    )
    weekdays = format_html_join(
        "\n",
        '<text x="0" y="{}" class="heatmap__label">{}</text>',
        ((TOP + row * STEP + CELL - 1, _weekday(row, get_language())) for row in WEEKDAYS_LABELLED),
    )
    active = len(cal.active_days)
    description = gettext(
        "One square per day from %(start)s to %(end)s, a column per week, Monday at the top; "
        "darker squares mean more minutes. %(days)s, %(sessions_and_minutes)s."
    ) % {
        "start": cal.start.isoformat(),
        "end": cal.end.isoformat(),
        "days": ngettext("%(count)s day with practice", "%(count)s days with practice", active)
        % {"count": active},
        "sessions_and_minutes": sessions_and_minutes(cal.sessions, cal.minutes),
    }
    title = ngettext(
        "Practice calendar, last %(count)s day", "Practice calendar, last %(count)s days",
        len(cal.days),
    ) % {"count": len(cal.days)}  # fmt: skip
    return format_html(
        '<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-labelledby="{prefix}-title {prefix}-desc">'
        '<title id="{prefix}-title">{title}</title>'
        '<desc id="{prefix}-desc">{description}</desc>\n'
        "{months}\n{weekdays}\n{cells}\n</svg>",
        width=width,
        height=height,
        prefix=id_prefix,
        title=title,
        description=description,
        months=months,
        weekdays=weekdays,
        cells=cells,
    )


def day_list(cal: Calendar) -> SafeString:
    """The days with practice as list items: the heatmap's text alternative (a year of days is
    formatted here, much faster than by the template's loop)."""
    return mark_safe(  # noqa: S308 (numbers and ISO dates only, as the cells above)
        "\n".join(
            f'<li><time datetime="{iso}">{iso}</time>: '
            f"{escape(sessions_and_minutes(d.sessions, d.minutes))}</li>"
            for d in cal.active_days
            for iso in (d.day.isoformat(),)
        )
    )


@functools.cache
def _name_urls(script_prefix: str, language: str | None) -> tuple[str, ...]:
    """The names' pages, 1 to 99, reversed once per process (and script prefix and language:
    /tr/names/1/ on a Turkish page)."""
    return tuple(reverse("meditation:name_detail", args=[n]) for n in range(1, NAME_COUNT + 1))


def names_met(cells: Iterable[NameCell]) -> SafeString:
    """The names met, as `name_grid`."""
    met = {
        c.number: ngettext(", met %(count)s time", ", met %(count)s times", c.count)
        % {"count": c.count}
        for c in cells
        if c.met
    }
    return name_grid(met, gettext(", not met yet"))


def name_grid(filled: Mapping[int, str], empty: str) -> SafeString:
    """The 99 as list items linking to their pages (the names met, the names known): those in
    `filled` are filled and marked ✓, with its words for screen readers, the others told apart
    without colour by `empty`'s. The words are the site's own, never a person's."""
    urls = _name_urls(get_script_prefix(), get_language())
    filled = {n: escape(words) for n, words in filled.items()}  # translations: escaped once
    empty = escape(empty)
    return mark_safe(  # noqa: S308 (numbers, our own URLs and our own words only)
        "".join(
            f'<li><a class="names-met__cell names-met__cell--met" href="{urls[n - 1]}">'
            f'{n}<span class="names-met__mark" aria-hidden="true">✓</span>'
            f'<span class="visually-hidden">{filled[n]}</span></a></li>'
            if n in filled
            else f'<li><a class="names-met__cell" href="{urls[n - 1]}">{n}'
            f'<span class="visually-hidden">{empty}</span></a></li>'
            for n in range(1, NAME_COUNT + 1)
        )
    )
