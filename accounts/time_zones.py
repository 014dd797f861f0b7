"""The time zones a person may choose: real places, grouped by region, plus UTC.

The list is tzdata's own list of inhabited zones, `zone.tab` (what `tzselect` offers: at least
one zone per country), in the nine geographic regions. So it has no `Factory`, `localtime` or
`posixrules`, no `Etc/GMT+5` offsets (their signs are inverted, a trap) and no deprecated
links (`US/Pacific`, `Asia/Calcutta`). Browsers may still report such a link as their zone:
`aliases()` maps each one to the listed zone it stands for, so the suggestion can find it.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import zoneinfo
from pathlib import Path
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

UTC = "UTC"
REGIONS = (
    "Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
    "Pacific",
)  # fmt: skip
# The regions' names as the list's groups show them (the zones' own names stay as they are).
REGION_LABELS = {
    "Africa": pgettext_lazy("time zone region", "Africa"),
    "America": pgettext_lazy("time zone region", "America"),
    "Antarctica": pgettext_lazy("time zone region", "Antarctica"),
    "Asia": pgettext_lazy("time zone region", "Asia"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic"),
    "Australia": pgettext_lazy("time zone region", "Australia"),
    "Europe": pgettext_lazy("time zone region", "Europe"),
    "Indian": pgettext_lazy("time zone region", "Indian"),
    "Pacific": pgettext_lazy("time zone region", "Pacific"),
}


def _tzdata_file(name: str) -> str:
    """A file of the zone database the site uses ("" if it is nowhere to be found)."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:  # the `tzdata` package, where the system has no zone database
        return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - always on Debian
        return ""


def _in_a_region(name: str) -> bool:
    return name.split("/", 1)[0] in REGIONS and "/" in name


@functools.cache
def listed() -> tuple[str, ...]:
    """Every zone offered, UTC first, then by name."""
    available = zoneinfo.available_timezones()
    rows = (line.split("\t") for line in _tzdata_file("zone.tab").splitlines())
    names = {row[2].strip() for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    if not names:  # pragma: no cover - no zone.tab: every name in a region
        names = set(available)
    return (UTC, *sorted(n for n in names if _in_a_region(n) and n in available))


@functools.cache
def aliases() -> dict[str, str]:
    """Other names of listed zones (old spellings, links) → the listed zone they stand for."""
    links: dict[str, str] = {}
    for line in _tzdata_file("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    offered = set(listed())
    by_target: dict[str, str] = {}
    for zone in offered:
        target = links.get(zone, zone)
        if zone == target or target not in by_target:
            by_target[target] = zone
    names = {**{target: target for target in by_target}, **links}
    return {
        name: by_target[target]
        for name, target in sorted(names.items())
        if name not in offered
        and target in by_target
        and (_in_a_region(name) or name.startswith("Etc/"))
    }


def _label(zone: str) -> str:
    """Within its region's group: the place, e.g. "Argentina/Buenos Aires"."""
    return zone.split("/", 1)[1].replace("_", " ")


def grouped_choices() -> list[tuple[str | Promise, str | list[tuple[str, str]]]]:
    """UTC, then one group per region (an <optgroup> each)."""
    zones = listed()
    choices: list[tuple[str | Promise, str | list[tuple[str, str]]]] = [(UTC, UTC)]
    for region in REGIONS:
        prefix = f"{region}/"
        members = [(z, _label(z)) for z in zones if z.startswith(prefix)]
        if members:
            choices.append((REGION_LABELS[region], members))
    return choices


class TimeZoneSelect(forms.Select):
    """The zones; `static/js/time_zone.js` offers the device's zone (nothing without JS)."""

    class Media:
        js = [forms.Script("js/time_zone.js", defer=True)]

    def __init__(self) -> None:
        super().__init__(
            attrs={"data-zone-suggest": "", "data-zone-aliases": json.dumps(aliases())}
        )


class TimeZoneField(forms.ChoiceField):
    widget = TimeZoneSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Time zone"))
        kwargs.setdefault(
            "help_text", gettext_lazy("Every time on the site is shown in this zone.")
        )
        super().__init__(choices=grouped_choices, **kwargs)

    def keep(self, current: str) -> None:
        """Offers a person's current zone even when it is not listed (an older choice), so
        that saving other settings never changes it behind their back."""
        if current and current not in listed() and current in zoneinfo.available_timezones():
            label = _("%(zone)s (your current choice)") % {"zone": current}
            self.choices = [(current, label), *grouped_choices()]
