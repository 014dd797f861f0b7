import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

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


def test_it_counts_per_scope_and_key():
    cache.clear()
    assert [hit("s", "1.1.1.1", "2/h") for _ in range(3)] == [True, True, False]
    assert hit("s", "2.2.2.2", "2/h")
    assert hit("other", "1.1.1.1", "2/h")
