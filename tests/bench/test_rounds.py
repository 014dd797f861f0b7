"""`make bench` loads each URL in rounds: the median round counts, and any round's failures."""

from __future__ import annotations

from bench.__main__ import arguments, median_run, summary
from bench.load import Load


def run(rps: float, errors: int = 0, timeouts: int = 0, non_2xx: int = 0) -> Load:
    return Load("/x", 16, int(rps * 8), rps, 5.0, 50.0, errors, timeouts, non_2xx)


def test_the_median_round_counts_with_every_rounds_failures():
    result = median_run([run(900), run(300, errors=2), run(1200, timeouts=1, non_2xx=4)])
    assert result.rps == 900
    assert (result.errors, result.timeouts, result.non_2xx) == (2, 1, 4)


def test_an_even_count_takes_the_lower_middle_and_one_round_is_itself():
    assert median_run([run(500), run(100), run(900), run(700)]).rps == 500
    assert median_run([run(42)]) == run(42)


def test_three_rounds_by_default_and_one_for_the_smoke():
    assert arguments([]).rounds == 3
    assert arguments(["--smoke"]).rounds == 1


def test_the_results_keep_every_rounds_rate_in_order_beside_the_median_round():
    kept = summary([run(900), run(300, errors=2), run(1200)])
    assert kept["rps"] == 900
    assert kept["errors"] == 2
    assert kept["round_rps"] == [900, 300, 1200]
