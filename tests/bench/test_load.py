"""Reading wrk's report (bench/load.py)."""

import pytest

from bench.load import milliseconds, parse_wrk, percentile

WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8000/journal/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   803.12ms  120.00ms   1.90s    70.00%
    Req/Sec    10.00      3.00    20.00     60.00%
  Latency Distribution
     50%  801.00ms
     75%  850.00ms
     90%  900.00ms
     99%    1.20s
  200 requests in 10.01s, 1.20MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:     19.98
Transfer/sec:    122.00KB
"""


def test_it_reads_throughput_percentiles_errors_and_timeouts():
    load = parse_wrk(WRK_REPORT, "/journal/", 16)
    assert (load.path, load.connections, load.requests) == ("/journal/", 16, 200)
    assert load.rps == 19.98
    assert (load.p50_ms, load.p99_ms) == (801.0, 1200.0)
    assert (load.errors, load.timeouts, load.non_2xx) == (6, 4, 5)


def test_a_clean_run_has_no_socket_error_line():
    clean = "\n".join(
        line for line in WRK_REPORT.splitlines() if not line.lstrip().startswith(("Socket", "Non"))
    )
    load = parse_wrk(clean, "/", 64)
    assert (load.errors, load.timeouts, load.non_2xx) == (0, 0, 0)


def test_it_refuses_what_is_not_a_wrk_report():
    with pytest.raises(ValueError, match="not a wrk report"):
        parse_wrk("wrk: connection refused", "/", 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("950.00us", 0.95), ("12.5ms", 12.5), ("1.20s", 1200.0), ("2m", 120000.0)],
)
def test_it_reads_every_wrk_duration_unit(text, expected):
    assert milliseconds(text) == pytest.approx(expected)


def test_the_python_generators_percentiles():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([], 0.5) == 0.0
