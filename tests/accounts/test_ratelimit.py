from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts import ratelimit
from accounts.ratelimit import hit, parse_rate


@pytest.mark.parametrize(
    ("rate", "parsed"), [("5/h", (5, 3600)), ("10/15m", (10, 900)), (" 3 / d ", (3, 86400))]
)
def test_it_parses_rates(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "5", "five/h", "5/week", "-1/h"])
def test_it_refuses_bad_rates(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


@pytest.fixture
def clock(monkeypatch):
    """The clock the limiter reads, stopped at midnight UTC: the start of every window."""
    clock = SimpleNamespace(now=1_799_971_200.0)  # midnight UTC, 2027-01-15
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: clock.now))
    cache.clear()
    return clock


def test_it_counts_per_scope_and_key(clock):
    assert [hit("s", "1.1.1.1", "2/h") for _ in range(3)] == [True, True, False]
    assert hit("s", "2.2.2.2", "2/h")
    assert hit("other", "1.1.1.1", "2/h")


@pytest.mark.parametrize(("rate", "period"), [("2/h", 3600), ("2/15m", 900)])
def test_it_counts_in_fixed_windows(clock, rate, period):
    start = clock.now
    assert [hit("s", "1.1.1.1", rate) for _ in range(3)] == [True, True, False]
    clock.now = start + period - 0.001  # the last moment of the window: still limited
    assert not hit("s", "1.1.1.1", rate)
    clock.now = start + period  # the next window: allowed again, and counted afresh
    assert [hit("s", "1.1.1.1", rate) for _ in range(3)] == [True, True, False]
