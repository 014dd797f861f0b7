"""No worker, or a worker killed mid-export, under a live site (issue 12, point 4).

Without a worker a job waits and says so after JOB_WAIT_WARNING_SECONDS, /readyz and /metrics
report no live worker (readiness itself stays 200), and the job runs once a worker is back.
A worker killed with SIGKILL mid-export leaves the job "running" with a heartbeat that stops:
with the broker's visibility timeout at two hours, only the sweep can bring it back, and it
does within seconds here (minutes with the shipped timings).
"""

from __future__ import annotations

import json
import re

import pytest

from .services import needs_servers, wait_until

pytestmark = [pytest.mark.faults, needs_servers]

WAITING = "Waiting for a worker — this is taking longer than usual."
# Short timings for the processes started after the fault (each validated by the settings).
QUICK = {
    "JOB_HEARTBEAT_SECONDS": "1", "JOB_STALE_SECONDS": "5", "JOB_SWEEP_SECONDS": "2",
    "WORKER_HEARTBEAT_SECONDS": "1", "WORKER_STALE_SECONDS": "3", "JOB_WAIT_WARNING_SECONDS": "1",
}  # fmt: skip


def workers(stack) -> dict:
    ready = stack.browser().get("/readyz")
    assert ready.status == 200, ready.text  # the web is ready without workers
    return json.loads(ready.text)["workers"]


def gauge(stack, role: str) -> float:
    body = stack.browser().get("/metrics").text
    match = re.search(rf'^aysekai_workers_alive{{role="{role}"}} (\S+)$', body, re.MULTILINE)
    assert match, body[-2000:]
    return float(match[1])


def job(stack, email: str) -> tuple:
    (row,) = stack.rows(
        "SELECT j.id, j.status, j.attempts, j.progress FROM meditation_exportjob j "
        "JOIN accounts_user u ON u.id = j.owner_id WHERE u.email = %s",
        email,
    )
    return row


def test_a_job_with_no_worker_says_it_is_waiting_and_runs_when_one_is_back(stack):
    stack.restart_beat(**QUICK)
    stack.worker.stop()  # a clean stop deletes the worker's heartbeat row
    stack.web.stop()
    stack.start_web(**QUICK)
    assert workers(stack)["worker"]["alive"] == 0
    assert gauge(stack, "worker") == 0
    wait_until(lambda: workers(stack)["beat"]["alive"] == 1, 30, "beat's heartbeat")

    person = stack.sign_up()
    page = person.post("/exports/", {"format": "csv"})
    assert "Your export is being prepared" in page, page.text[:2000]
    wait_until(lambda: WAITING in person.get("/exports/"), 30, "the waiting notice")
    page = person.get("/exports/")
    assert 'role="status"' in page.text
    assert "Queued" in page.text
    assert job(stack, person.email)[1] == "queued"

    stack.start_worker(**QUICK)
    wait_until(lambda: workers(stack)["worker"]["alive"] == 1, 30, "the worker's heartbeat")
    assert gauge(stack, "worker") == 1
    wait_until(lambda: job(stack, person.email)[1] == "done", 60, "the export, once a worker runs")
    assert WAITING not in person.get("/exports/")


def test_an_export_whose_worker_was_killed_is_queued_again_by_its_heartbeat(stack):
    person = stack.sign_up()
    stack.add_entries(person.email, 3000)
    stack.restart_worker(EXPORT_CHUNK_PAUSE="1.5")  # about ten seconds of work (one pass)
    page = person.post("/exports/", {"format": "zip"})
    assert "Your export is being prepared" in page, page.text[:2000]

    def running() -> bool:
        _, status, _, progress = job(stack, person.email)
        return status == "running" and progress > 0

    wait_until(running, 60, "the first worker to start the export")
    stack.kill_worker()  # SIGKILL to the worker and its child, mid-export
    assert job(stack, person.email)[1] == "running"  # what the page showed for two hours

    # Visibility timeout 7200 s: the broker will not hand the task out again in this test.
    stack.restart_beat(**QUICK)
    stack.start_worker(**QUICK)
    wait_until(lambda: job(stack, person.email)[1] == "done", 90, "the sweep to requeue it")
    _, status, attempts, progress = job(stack, person.email)
    assert (status, attempts, progress) == ("done", 2, 100)
    assert "lost its worker after 1 run(s): queued again" in stack.worker.since_start()
    ((job_id, _, _),) = stack.jobs_of(person.email)
    exports = stack.root / "private" / "exports"
    files = sorted(p.name for p in exports.iterdir() if p.name.startswith(job_id))
    assert files == [f"{job_id}.zip"]  # one file, no temporaries
    download = person.get(f"/exports/{job_id}/download/")
    assert download.status == 200
    assert download.headers["content-length"] == str(
        stack.rows("SELECT size FROM meditation_exportjob WHERE id = %s", job_id)[0][0]
    )
