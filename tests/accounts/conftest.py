import datetime

import axes.attempts
import axes.handlers.proxy
import pytest
from django.core.cache import cache
from django.utils import timezone


class Clock:
    """A clock that stands still until told to move."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, delta: datetime.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock that axes stamps failures with and ages them by, and Django's with it
    (which django-otp's back-off and accounts.throttle read)."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    monkeypatch.setattr(axes.handlers.proxy, "now", clock)
    monkeypatch.setattr(axes.attempts, "now", clock)
    return clock


@pytest.fixture
def no_rate_limits():
    """Sign-up and reset rate limits count in the (per-process) cache: start each test at 0."""
    cache.clear()
