"""Load on one URL: wrk when installed, else a small Python load generator; both give a
`Load` (requests/s, p50/p99, errors, timeouts, non-2xx/3xx answers)."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass

TIMEOUT_SECONDS = 5  # a request slower than this is a timeout, as gunicorn's proxy would see
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    path: str
    connections: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # connect, read and write errors
    timeouts: int
    non_2xx: int  # answers other than 2xx/3xx (a fast 503 under overload counts here)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def milliseconds(text: str) -> float:
    """'803.12ms', '1.20s', '950.00us' → milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str, path: str, connections: int) -> Load:
    """The figures of `wrk --latency`'s report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rps is None or total is None:
        raise ValueError(f"not a wrk report:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", output, re.M))
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = sum(int(n) for n in sockets.groups()[:3]) if sockets else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        path=path, connections=connections, requests=int(total[1]), rps=float(rps[1]),
        p50_ms=milliseconds(percentiles["50"]) if "50" in percentiles else 0.0,
        p99_ms=milliseconds(percentiles["99"]) if "99" in percentiles else 0.0,
        errors=errors, timeouts=int(sockets[4]) if sockets else 0,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
    )  # fmt: skip


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(base: str, path: str, connections: int, seconds: float, cookie: str) -> Load:
    if have_wrk():
        return run_wrk(base, path, connections, seconds, cookie)
    return run_python(base, path, connections, seconds, cookie)


def run_wrk(base: str, path: str, connections: int, seconds: float, cookie: str) -> Load:
    threads = min(2, connections)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
        f"--timeout={TIMEOUT_SECONDS}s", *(["-H", f"Cookie: {cookie}"] if cookie else []),
        base + path,
    ]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(output, path, connections)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def run_python(base: str, path: str, connections: int, seconds: float, cookie: str) -> Load:
    """A thread per connection, each with one keep-alive connection (slower than wrk: its
    ratios are comparable only with its own)."""
    host = urllib.parse.urlsplit(base)
    latencies: list[float] = []
    counts = {"errors": 0, "timeouts": 0, "non_2xx": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(
            host.hostname or "127.0.0.1", host.port, timeout=TIMEOUT_SECONDS
        )
        while time.monotonic() < deadline:
            started = time.monotonic()
            outcome = None
            try:
                connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    outcome = "non_2xx"
            except TimeoutError:
                outcome = "timeouts"
            except (OSError, http.client.HTTPException):
                outcome = "errors"
            with lock:
                latencies.append((time.monotonic() - started) * 1000)
                if outcome:
                    counts[outcome] += 1
            if outcome in ("errors", "timeouts"):
                connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return Load(
        path=path, connections=connections, requests=len(latencies),
        rps=len(latencies) / elapsed, p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99), **counts,
    )  # fmt: skip
