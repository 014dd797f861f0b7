"""`python -m bench.export USER_ID FORMAT`, in the site's environment: one export of the
person's journal, built by the worker's own task body in this process, then the yardstick
(`timings.raw_read`: the raw read of the same rows plus their decryption) right after it in
the same process, so that the ratio of the two is measured under the same conditions: on a
busy machine a single export moved by a third from one minute to the next.

Prints the build's seconds, this process's peak memory during the build (VmHWM: the worker's,
for one export; the parent's rusage would count the parent's own memory, which Linux carries
over exec) and the yardstick's seconds."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import django

if __name__ == "__main__":
    django.setup()
    from bench.timings import raw_read
    from meditation.exports.tasks import build_export
    from meditation.models import ExportJob, JobStatus

    job = ExportJob.objects.create(owner_id=int(sys.argv[1]), format=sys.argv[2])
    started = time.perf_counter()
    status = build_export(str(job.pk))
    elapsed = time.perf_counter() - started
    if status != JobStatus.DONE:
        sys.exit(f"the {sys.argv[2]} export ended {status}")
    status_lines = Path("/proc/self/status").read_text().splitlines()
    peak_kib = next(int(line.split()[1]) for line in status_lines if line.startswith("VmHWM:"))
    raw = raw_read(int(sys.argv[1]))  # after the peak is read: it holds every row at once
    print(json.dumps({
        "seconds": round(elapsed, 4), "peak_mib": round(peak_kib / 1024, 1),
        "raw_s": raw["total_s"], "ratio": round(elapsed / raw["total_s"], 3),
    }))  # fmt: skip
