import threading
from collections import Counter

import pytest

from meditation.sitting import randomizer
from meditation.sitting.randomizer import draw

# chi-square critical value for 98 degrees of freedom at p = 0.001.
CHI2_CRITICAL_98_P001 = 148.23


def chi_square(counts: Counter, total: int) -> float:
    expected = total / 99
    return sum((counts.get(n, 0) - expected) ** 2 / expected for n in range(1, 100))


def test_it_draws_every_name_uniformly():
    total = 99_000
    counts = Counter(draw("may my heart be at peace") for _ in range(total))
    assert set(counts) == set(range(1, 100))
    assert chi_square(counts, total) < CHI2_CRITICAL_98_P001


def test_it_does_not_let_the_same_intention_force_the_same_name(monkeypatch):
    monkeypatch.setattr(randomizer.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    drawn = {draw("the very same intention") for _ in range(200)}
    assert len(drawn) > 50


def test_it_rejects_samples_that_would_bias_the_draw(monkeypatch):
    # The first two samples fall in the biased tail (>= 65,439) and must be drawn again.
    samples = iter([65_535, 65_439, 98])
    monkeypatch.setattr(randomizer, "_sample", lambda *args: next(samples))
    assert draw("x") == 99


def test_it_maps_the_accepted_range_evenly():
    assert randomizer._ACCEPT_BELOW % 99 == 0
    assert randomizer._SAMPLE_SPACE - randomizer._ACCEPT_BELOW < 99


def test_it_is_safe_to_call_from_many_threads():
    results: list[int] = []
    lock = threading.Lock()

    def work():
        local = [draw("threaded") for _ in range(500)]
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4000
    assert all(1 <= n <= 99 for n in results)


@pytest.mark.parametrize("intention", ["", "نية", "x" * 10_000, "\x00\n"])
def test_it_accepts_any_text(intention):
    assert 1 <= draw(intention) <= 99
