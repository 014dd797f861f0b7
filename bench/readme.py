"""`python -m bench.readme`: the README's benchmark section, rewritten from
bench/results/latest.json (between the `<!-- bench -->` and `<!-- /bench -->` markers)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import report

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench -->", "<!-- /bench -->"


def section(results: Mapping[str, Any]) -> str:
    settings = results["settings"]
    found = [report.Target(t["name"], t["figure"], t["goal"], t["met"])
             for t in results["targets"]]  # fmt: skip
    return "\n".join([
        START,
        f"Latest `make bench`: {results['date']}, commit `{results['commit'][:10]}`, "
        f"{settings['entries']:,} entries, {settings['database']} + {settings['cache']}, "
        f"gunicorn with {settings['web_workers']} sync workers, {settings['load_tool']} "
        f"{settings['seconds']:g} s per URL in {settings.get('rounds', 1)} rounds over every URL "
        f"in turn, on {results['machine']['cpus']} cores. A URL's ratio is the median over the "
        "rounds of its requests/s over the site's own static CSS in the same round; its other "
        "figures are its median round's.",
        "",
        report.markdown_table(report.load_table(results)),
        "",
        report.markdown_table(report.target_rows(found)),
        END,
    ])  # fmt: skip


def replace_section(text: str, new: str) -> str:
    """`text` with its marked section replaced by `new` (appended when it has none)."""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        return head + new + tail
    return text.rstrip("\n") + "\n\n## Benchmark\n\n" + new + "\n"


def main(results_path: Path = ROOT / "bench" / "results" / "latest.json") -> None:
    readme = ROOT / "README.md"
    results = json.loads(results_path.read_text())
    readme.write_text(replace_section(readme.read_text(), section(results)))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "latest.json")
