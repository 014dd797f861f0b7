"""The default set-up, SQLite, with the web writing while the worker builds a large export
(issue 12, point 5): WAL, a busy timeout and immediate transactions keep both going, with no
"database is locked"."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from .services import wait_until
from .stack import Stack, running_stack, sqlite_services

pytestmark = pytest.mark.faults

WRITERS = 4  # more at once than gunicorn has workers
SITTING = {"intention": "to write while the worker reads", "length": "10",
           "interval_bell": "0", "end_bell": "on", "dhikr_target": "33"}  # fmt: skip


@pytest.fixture(scope="module")
def sqlite_stack(static_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """gunicorn and a worker on one SQLite file, with the filesystem broker in its own folder;
    exports slowed down a little, so that the web writes while one is built."""
    root = tmp_path_factory.mktemp("sqlite-stack")
    with running_stack(
        root, beat=False, STATIC_ROOT=str(static_root), EXPORT_CHUNK_PAUSE="0.15",
        **sqlite_services(root),
    ) as site:  # fmt: skip
        yield site


def test_it_writes_from_the_web_while_the_worker_builds_a_large_export(sqlite_stack):
    owner, writer = sqlite_stack.sign_up(), sqlite_stack.sign_up()
    sqlite_stack.add_entries(owner.email, 6000)
    page = owner.post("/exports/", {"format": "zip"})
    assert "Your export is being prepared" in page, page.text[:2000]
    ((job_id, _, _),) = sqlite_stack.jobs_of(owner.email)

    def status() -> str:
        return sqlite_stack.jobs_of(owner.email)[0][1]

    wait_until(lambda: status() == "running", 30, "the worker to start the export")
    settled = threading.Event()
    seen_running = []

    def write() -> Counter[int]:
        tab = replace(writer, cookies=dict(writer.cookies))  # the same person, another tab
        answers: Counter[int] = Counter()
        while not settled.is_set():
            seen_running.append(status() == "running")
            answers[tab.post("/meditate/", SITTING, follow=False, timeout=30).status] += 1
        return answers

    with ThreadPoolExecutor(WRITERS) as pool:
        writing = [pool.submit(write) for _ in range(WRITERS)]
        try:
            wait_until(lambda: status() not in ("queued", "running"), 120, "the export to end")
        finally:
            settled.set()
        answers = sum((future.result() for future in writing), Counter())

    print(f"{sum(answers.values())} POSTs while the export ran: {dict(answers)}")
    assert set(answers) == {302}, dict(answers)  # each a new sitting, redirected to it
    assert sum(seen_running) >= WRITERS  # the writes overlapped the export
    assert status() == "done", sqlite_stack.jobs_of(owner.email)
    assert owner.get(f"/exports/{job_id}/download/", timeout=30).status == 200
    assert "database is locked" not in sqlite_stack.logs()
