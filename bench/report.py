"""The benchmark's figures as ratios and targets (the issue's), a text table and JSON.

Pure functions over plain dicts (the shape of bench/results/latest.json), so they are tested
without a site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

STATIC = "static"  # the key of the site's own CSS among the paths: the stack's ceiling
CATALOGUE = ("/", "/names/", "/names/1/", "/about/")
JOURNAL, SEARCH, STATS = "/journal/", "/journal/?q=mercy", "/journal/stats/"
MANY_ENTRIES = 100_000  # from here search's target is 0.1×, not 0.2×


@dataclass(frozen=True)
class Target:
    name: str
    figure: str
    goal: str
    met: bool | None  # None: not judged in this run (e.g. memory needs two sizes)

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT MET", None: "not judged"}[self.met]


def ratios(loads: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Each path's requests/s over the static file's in the same run: the median over rounds
    of the ratio to the static file's load of the same round (`round_rps`), so that a slow
    minute of the machine divides by a static figure of that minute; without rounds, the
    path's median load over the static file's."""
    static = next((load for load in loads if load["path"] == STATIC), None)
    if static is None or not static["rps"]:
        return {load["path"]: 0.0 for load in loads}
    return {load["path"]: round(_ratio(load, static), 3) for load in loads}


def _ratio(load: Mapping[str, Any], static: Mapping[str, Any]) -> float:
    rounds, static_rounds = load.get("round_rps"), static.get("round_rps")
    if not rounds or not static_rounds or len(rounds) != len(static_rounds) or 0 in static_rounds:
        return float(load["rps"] / static["rps"])
    each = sorted(rps / ceiling for rps, ceiling in zip(rounds, static_rounds, strict=True))
    return float(each[(len(each) - 1) // 2])  # the lower middle of an even count, as median_run


def _at_least(name: str, ratio: float | None, goal: float) -> Target:
    if ratio is None:
        return Target(name, "not measured", f"≥ {goal}×", None)
    return Target(name, f"{ratio:.2f}×", f"≥ {goal}×", ratio >= goal)


def _at_most(name: str, value: float | None, goal: float, unit: str) -> Target:
    if value is None:
        return Target(name, "not measured", f"≤ {goal:g}{unit}", None)
    return Target(name, f"{value:.2f}{unit}", f"≤ {goal:g}{unit}", value <= goal)


def targets(
    results: Mapping[str, Any], other_sizes: Mapping[int, float] | None = None
) -> list[Target]:
    """The issue's targets judged on `results`; `other_sizes` maps entry counts of earlier
    runs to their CSV export's peak memory, for "memory stays flat"."""
    loads16 = {load["path"]: load for load in results["load"].get("16", [])}
    ratio16 = ratios(list(loads16.values()))
    found = []
    for path in CATALOGUE:
        found.append(_at_least(f"{path} at 16 connections", ratio16.get(path), 0.6))
    found.append(_at_least(f"{JOURNAL} at 16", ratio16.get(JOURNAL), 0.25))
    p99 = loads16[JOURNAL]["p99_ms"] if JOURNAL in loads16 else None
    found.append(_at_most(f"{JOURNAL} p99 at 16", p99, 250, " ms"))
    entries = results["settings"]["entries"]
    found.append(_at_least(f"{SEARCH} at 16", ratio16.get(SEARCH),
                           0.1 if entries >= MANY_ENTRIES else 0.2))  # fmt: skip
    found.append(_at_least(f"{STATS} at 16", ratio16.get(STATS), 0.3))
    loads64 = results["load"].get("64", [])
    if loads64:
        # A URL that completed no request at all hung: a failure however wrk counted it.
        failures = sum(load["errors"] + load["timeouts"] + (load["requests"] == 0)
                       for load in loads64)  # fmt: skip
        found.append(Target("errors + timeouts at 64", str(failures), "0", failures == 0))
    found.extend(export_targets(results, other_sizes or {}))
    return found


def export_targets(results: Mapping[str, Any], other_sizes: Mapping[int, float]) -> list[Target]:
    timings = results.get("timings")
    if not timings:
        return []
    raw = timings["raw_read"]["total_s"]
    exports = timings["exports"]

    def ratio(fmt: str) -> float | None:
        """To the yardstick measured beside the export (`bench.export`), else the run's own."""
        if "ratio" in exports[fmt]:
            return float(exports[fmt]["ratio"])
        return exports[fmt]["seconds"] / raw if raw else None

    found = [
        _at_most(f"{fmt.upper()} export / (COPY + decryption)", ratio(fmt), 2, "×")
        for fmt in ("csv", "json")
    ]
    # The ZIP's time over the CSV's of the same round, else over the CSV's median.
    zip_to_csv = timings.get("zip_to_csv", exports["zip"]["seconds"] / exports["csv"]["seconds"])
    found.append(_at_most("ZIP export / CSV export", zip_to_csv, 1.3, "×"))
    peak = exports["csv"]["peak_mib"]
    entries = results["settings"]["entries"]
    others = {size: mib for size, mib in (other_sizes or {}).items() if size != entries}
    if not others:
        found.append(Target("export worker peak memory", f"{peak:.0f} MiB",
                            "flat from 10,000 to 100,000 entries", None))  # fmt: skip
    else:
        size, mib = max(others.items(), key=lambda item: abs(item[0] - entries))
        low, high = sorted(((size, mib), (entries, peak)))
        growth = high[1] / low[1]
        figure = f"{low[1]:.0f} MiB at {low[0]:,} → {high[1]:.0f} MiB at {high[0]:,}"
        found.append(Target("export worker peak memory", figure, "flat (≤ 1.2×)", growth <= 1.2))
    return found


def target_dicts(found: Sequence[Target]) -> list[dict[str, Any]]:
    return [asdict(target) | {"verdict": target.verdict} for target in found]


def load_table(results: Mapping[str, Any]) -> list[list[str]]:
    """Rows: path, ratio, req/s, p50 and p99 at 16; ratio, errors, timeouts, non-2xx at 64."""
    by_level = {level: {load["path"]: load for load in loads}
                for level, loads in results["load"].items()}  # fmt: skip
    ratio = {level: ratios(list(loads.values())) for level, loads in by_level.items()}
    rows = [["URL", "×static@16", "req/s@16", "p50 ms", "p99 ms", "×static@64",
             "err@64", "timeouts@64", "non-2xx@64"]]  # fmt: skip
    for path in by_level.get("16", {}):
        at16 = by_level["16"][path]
        at64 = by_level.get("64", {}).get(path)
        rows.append([
            path, f"{ratio['16'][path]:.2f}", f"{at16['rps']:.0f}", f"{at16['p50_ms']:.1f}",
            f"{at16['p99_ms']:.1f}",
            f"{ratio['64'][path]:.2f}" if at64 else "–",
            str(at64["errors"]) if at64 else "–", str(at64["timeouts"]) if at64 else "–",
            str(at64["non_2xx"]) if at64 else "–",
        ])  # fmt: skip
    return rows


def text_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def markdown_table(rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return f"`{text}`" if text.startswith("/") and " " not in text else text  # a URL

    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join([cell(row[0]), *row[1:]]) + " |" for row in rows[1:]]
    return "\n".join(lines)


def target_rows(found: Sequence[Target]) -> list[list[str]]:
    return [["target", "figure", "goal", "verdict"]] + [
        [target.name, target.figure, target.goal, target.verdict] for target in found
    ]
