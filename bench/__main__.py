"""`python -m bench` (`make bench`, `make bench-smoke`): see bench/__init__.py."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import load, readme, report, stack
from .processes import wait_until

RESULTS = stack.ROOT / "bench" / "results"
SMOKE_OUTPUT = stack.ROOT / "var" / "bench-smoke.json"
# The person's own pages are loaded signed in; the rest as a visitor (no cookie), as most of
# their readers are: a session costs every request its reads and its save.
SIGNED_IN_PREFIXES = ("/journal/", "/exports/")
WARM_UP_SECONDS = 2
PATHS = ("/healthz", "/", "/about/", "/names/", "/names/1/", "/names/?q=mercy", "/journal/",
         "/journal/?q=mercy", "/journal/stats/", "/exports/")  # fmt: skip


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000, help="journal entries to seed")
    parser.add_argument("--seconds", type=float, default=8, help="load per URL per level")
    parser.add_argument("--connections", default="16,64", help="comma-separated levels")
    parser.add_argument("--rounds", type=int, default=3, help="loads per URL (the median counts)")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated URLs")
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if Postgres answers")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the site (e.g. DATABASE_POOL=true)")  # fmt: skip
    parser.add_argument("--smoke", action="store_true",
                        help="a minute's check that it works: 50 entries, 1 s per URL")  # fmt: skip
    parser.add_argument("--output", type=Path, help="the JSON (default results/latest.json)")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    args = parser.parse_args(argv)
    if args.smoke:
        args.entries, args.seconds, args.rounds, args.no_readme = 50, 1, 1, True
        args.output = args.output or SMOKE_OUTPUT
    return args


def median_run(results: list[load.Load]) -> load.Load:
    """The round with the median requests/s (the issue's figures are the median of 3), with
    the errors, timeouts and non-2xx answers of every round: one failed request fails it."""
    median = sorted(results, key=lambda result: result.rps)[(len(results) - 1) // 2]
    return dataclasses.replace(
        median,
        errors=sum(r.errors for r in results),
        timeouts=sum(r.timeouts for r in results),
        non_2xx=sum(r.non_2xx for r in results),
    )


def summary(results: list[load.Load]) -> dict[str, Any]:
    """A URL's rounds as the results keep them: the median round, with every round's
    requests/s in order (`report.ratios` divides each by the static file's of the same round)."""
    return median_run(results).as_dict() | {"round_rps": [result.rps for result in results]}


def cookie_for(path: str, cookie: str) -> str:
    """The session cookie for the person's own pages, none for a visitor's."""
    return cookie if path.startswith(SIGNED_IN_PREFIXES) else ""


def get(site: stack.Site, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def settle(site: stack.Site, within: float = 0.5, timeout: float = 120) -> None:
    """Wait until the previous URL's queued requests are served: gunicorn still answers the
    requests a load left in its backlog, which would otherwise starve the next URL's."""

    def quick() -> bool:
        started = time.monotonic()
        get(site, "/healthz", "")
        return time.monotonic() - started < within

    wait_until(quick, timeout, "the site to drain its queued requests")


def static_css(site: stack.Site) -> str:
    status, page = get(site, "/about/", "")
    match = re.search(r'href="(/static/css/site[^"]*\.css)"', page)
    if status != 200 or match is None:
        raise RuntimeError("/about/ names no site.css")
    return match[1]


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=stack.ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()  # fmt: skip

    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo")
    models = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text()) if cpuinfo.exists() else []
    return {"cpus": os.cpu_count(), "cpu": models[0] if models else platform.processor(),
            "system": platform.platform(), "python": platform.python_version()}  # fmt: skip


def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    shared = not args.sqlite and stack.postgres_and_redis_answer()
    print("::: Postgres and Redis answer: the bench runs on them" if shared else
          "::: Postgres or Redis not answering (or --sqlite): the bench runs on SQLite and "
          "each process's memory cache")  # fmt: skip
    variables = dict(item.split("=", 1) for item in args.set)
    site = stack.Site(root, stack.production_env(root, stack.fresh_services(root, shared=shared),
                                                 **variables))  # fmt: skip
    site.prepare()
    print(f"::: seeding one person with {args.entries:,} entries")
    seeded = json.loads(site.run("-m", "bench.seed", str(args.entries)))
    cookie = seeded["cookie_header"]
    site.start()
    try:
        paths = {report.STATIC: static_css(site)} | {p: p for p in args.paths.split(",")}
        for path in paths.values():
            status, _ = get(site, path, cookie_for(path, cookie))
            if status != 200:
                raise RuntimeError(f"{path} answered {status}, not 200")
        print(f"::: every URL answers; load with {'wrk' if load.have_wrk() else 'Python'}")
        levels = [int(level) for level in args.connections.split(",")]
        # A short load of each URL first, not counted: every worker has built its middleware,
        # opened its connections and filled its caches before the first figure (the static
        # file, measured first, otherwise paid for the whole site's warming up).
        for path in paths.values():
            load.run(site.url, path, levels[0], min(WARM_UP_SECONDS, args.seconds),
                     cookie_for(path, cookie))  # fmt: skip
        loads: dict[str, list[dict[str, Any]]] = {}
        for level in levels:
            # Rounds over every URL in turn, so that a slow minute of the machine falls on each
            # URL, the static file included, rather than on one; a URL's ratio is the median of
            # its rounds' ratios to the static file's round (report.ratios).
            runs: dict[str, list[load.Load]] = {label: [] for label in paths}
            for round_ in range(args.rounds):
                for label, path in paths.items():
                    settle(site)
                    result = load.run(site.url, path, level, args.seconds,
                                      cookie_for(path, cookie))  # fmt: skip
                    runs[label].append(dataclasses.replace(result, path=label))
                    print(f"    {level:>3} connections  {label:<22} {result.rps:8.1f} req/s"
                          f"  (round {round_ + 1} of {args.rounds})")  # fmt: skip
            loads[str(level)] = [summary(results) for results in runs.values()]
    finally:
        site.stop()
    print("::: in-process timings (search, stats, exports, COPY + decryption)")
    timings = json.loads(site.run("-m", "bench.timings", str(seeded["user_id"])))
    web_workers = variables.get("WEB_CONCURRENCY", site.env["WEB_CONCURRENCY"])
    return {
        "commit": commit(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "entries": args.entries,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "connections": levels,
            "database": "Postgres" if shared else "SQLite",
            "cache": "Redis" if shared else "memory cache",
            "web_workers": int(web_workers),
            "static": paths[report.STATIC],
            "load_tool": "wrk" if load.have_wrk() else "Python",
            "variables": variables,
            "conn_max_age": site.env["CONN_MAX_AGE"],
        },
        "load": loads,
        "timings": timings,
    }


def other_sizes() -> dict[int, float]:
    """Peak export memory by entry count, from earlier runs' bench/results/<entries>.json."""
    sizes = {}
    for path in RESULTS.glob("[0-9]*.json"):
        results = json.loads(path.read_text())
        sizes[results["settings"]["entries"]] = results["timings"]["exports"]["csv"]["peak_mib"]
    return sizes


def main(argv: list[str]) -> int:
    args = arguments(argv)
    root = Path(tempfile.mkdtemp(prefix="aysekai-bench-"))
    try:
        results = measure(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    found = report.targets(results, {} if args.smoke else other_sizes())
    results["targets"] = report.target_dicts(found)
    print()
    print(report.text_table(report.load_table(results)))
    print()
    print(report.text_table(report.target_rows(found)))
    output = args.output or RESULTS / "latest.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    output.write_text(text)
    if args.output is None:
        (RESULTS / f"{args.entries}.json").write_text(text)
    print(f"\n::: wrote {output}")
    if not args.no_readme:
        readme.main(output)
        print("::: README.md's benchmark table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
