"""`python -m bench.timings USER_ID`, in the site's environment: the in-process figures.

Search, stats and the list are timed through their views (Django's test client, the real
middleware), so whatever the views do stays measured as it changes. Each export is built in a
child process, which reports its peak memory and measures the yardstick right after it
(`bench.export`): the database's raw read of the same rows (Postgres `COPY`, or a plain SELECT
on SQLite) plus the decryption of their two encrypted fields. An export's figure is the median
of its ratios to the yardstick measured beside it. Prints JSON; never prints journal text.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import django

ROUNDS = 3
EXPORT_ROUNDS = 5  # an export and its yardstick, in one child process each
VIEWS = {"list": "/journal/", "search": "/journal/?q=mercy", "stats": "/journal/stats/"}
FORMATS = ("csv", "json", "md", "zip")


def timed(action: Callable[[], object], rounds: int = ROUNDS) -> dict[str, float]:
    """The first call's seconds (a cold cache) and the median of `rounds` after it."""
    seconds = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return {"first_s": round(seconds[0], 4), "median_s": round(statistics.median(seconds[1:]), 4)}


def view_timings(user_id: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))

    def get(path: str) -> Callable[[], object]:
        def fetch() -> object:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return response

        return fetch

    return {name: timed(get(path)) for name, path in VIEWS.items()}


def raw_read(user_id: int) -> dict[str, float]:
    """COPY (or SELECT) of the person's rows, then decrypting their intention and reflection."""
    from django.db import connection

    from meditation.crypto import decrypt

    sql = "SELECT intention, reflection FROM meditation_meditationsession WHERE user_id = %s"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", (user_id,)) as copy:
                rows = list(copy.rows())
        else:
            cursor.execute(sql, [user_id])
            rows = cursor.fetchall()
    copy_s = time.perf_counter() - started
    texts = [value for row in rows for value in row if value]
    started = time.perf_counter()
    for token in texts:
        decrypt(token)
    decrypt_s = time.perf_counter() - started
    return {
        "rows": len(rows), "fields": len(texts), "copy_s": round(copy_s, 4),
        "decrypt_s": round(decrypt_s, 4), "total_s": round(copy_s + decrypt_s, 4),
    }  # fmt: skip


def export_timing(user_id: int, fmt: str) -> dict[str, float]:
    """One export in a child process: its build seconds, its peak memory, the yardstick's
    seconds measured after it in the same process and the ratio of the two."""
    return json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.export", str(user_id), fmt],
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        ).stdout
    )


def median_of(runs: list[dict[str, float]], by: str) -> dict[str, float]:
    return sorted(runs, key=lambda run: run[by])[(len(runs) - 1) // 2]


def main(user_id: int) -> dict[str, object]:
    """The views' figures the median of ROUNDS; each export's the run with the median ratio to
    its yardstick, of EXPORT_ROUNDS, the formats taken in turn; its memory the highest; the
    ZIP's time over the CSV's, the median of the rounds' (each pair a few seconds apart)."""
    reads = [raw_read(user_id) for _ in range(ROUNDS)]
    exports: dict[str, list[dict[str, float]]] = {fmt: [] for fmt in FORMATS}
    for _ in range(EXPORT_ROUNDS):
        for fmt in FORMATS:
            exports[fmt].append(export_timing(user_id, fmt))
    # The ZIP against the CSV built just before it, in the same round.
    rounds = zip(exports["csv"], exports["zip"], strict=True)
    zip_to_csv = [zipped["seconds"] / csv["seconds"] for csv, zipped in rounds]
    return {
        "views": view_timings(user_id),
        "raw_read": median_of(reads, "total_s"),
        "exports": {
            fmt: median_of(runs, "ratio") | {"peak_mib": max(run["peak_mib"] for run in runs)}
            for fmt, runs in exports.items()
        },
        "zip_to_csv": round(statistics.median(zip_to_csv), 3),
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(main(int(sys.argv[1]))))
