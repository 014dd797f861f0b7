"""64 connections at once against the public pages (issue 12, point 6): every answer is a
page or a fast 503, never a 500 and never a timeout."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .client import Hang
from .services import needs_servers

pytestmark = [pytest.mark.faults, needs_servers]

CONNECTIONS = 64
ROUNDS = 20  # requests per connection, one after another
PAGES = ("/", "/names/", "/names/1/")
HANG = 15.0  # seconds: an answer slower than this is a hang


def test_it_answers_64_connections_at_once_with_pages_or_503s(stack):
    start = threading.Barrier(CONNECTIONS)

    slowest = [0.0]

    def visit(number: int) -> list[int | str]:
        browser = stack.browser(timeout=HANG)
        start.wait()
        answers: list[int | str] = []
        for round_ in range(ROUNDS):
            began = time.monotonic()
            try:
                answers.append(browser.get(PAGES[(number + round_) % len(PAGES)]).status)
            except Hang:
                answers.append("timeout")
            except OSError as error:  # refused or reset: no answer either
                answers.append(type(error).__name__)
            slowest[0] = max(slowest[0], time.monotonic() - began)
        return answers

    began = time.monotonic()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        answers = Counter(a for visit_ in pool.map(visit, range(CONNECTIONS)) for a in visit_)
    # The figures, for the record (-s shows them); nothing is asserted about speed.
    print(f"{CONNECTIONS} connections × {ROUNDS} requests in {time.monotonic() - began:.1f} s, "
          f"slowest answer {slowest[0]:.2f} s: {dict(answers)}")  # fmt: skip
    assert set(answers) <= {200, 503}, dict(answers)
    assert answers[200] > 0
