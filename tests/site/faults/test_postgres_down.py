"""Postgres stops under a live site (issue 12, point 1): every request that needs it, signed
in or not, is the "back soon" page, and the same gunicorn serves the same session again once it
is back. A visitor's page already in the cache needs no database (issue 13): it is served."""

from __future__ import annotations

import json

import pytest

from .services import needs_servers, wait_until

pytestmark = [pytest.mark.faults, needs_servers]

PAUSE = "Aysekai is taking a short pause"  # the 503 page's heading
SITTING = {"intention": "patience", "length": "10", "interval_bell": "0", "end_bell": "on",
           "dhikr_target": "33"}  # fmt: skip


def test_it_answers_every_request_with_the_503_page_and_recovers(stack, postgres):
    person = stack.sign_up()
    assert person.get("/journal/").status == 200
    visitor = stack.browser()
    assert visitor.get("/names/").status == 200

    postgres.stop()
    stored = visitor.get("/names/")
    assert stored.status == 200
    assert PAUSE not in stored
    for who, page in (
        ("a visitor", visitor.get("/names/7/")),  # never stored: its view needs the database
        ("signed in", person.get("/journal/")),
        ("signed in", person.get("/exports/")),
        ("signed in", person.post("/exports/", {"format": "csv"})),
        ("signed in", person.post("/meditate/", SITTING)),
    ):
        assert page.status == 503, f"{who}, {page.url}: {page.status}\n{page.text[:1000]}"
        assert page.headers["retry-after"] == "30"
        assert PAUSE in page
    assert stack.browser().get("/healthz").status == 200
    ready = stack.browser().get("/readyz")
    assert ready.status == 503
    assert "database" in json.loads(ready.text)["failing"]

    postgres.start()
    # The same gunicorn, the same session (its persistent connections were broken).
    wait_until(lambda: person.get("/journal/").status == 200, 30, "the journal after recovery")
    assert person.post("/meditate/", SITTING, follow=False).status == 302
    assert visitor.get("/names/7/").status == 200
    assert stack.browser().get("/readyz").status == 200


def test_a_restart_between_two_requests_costs_neither_of_them(stack, postgres):
    """Each worker's persistent connection is dead after the restart: the health check finds
    it and opens another before the request's first query (aysekai_site/postgres/base.py)."""
    person = stack.sign_up()
    for _ in range(6):  # every worker has served the person: each holds a connection
        assert person.get("/journal/").status == 200
    postgres.stop()
    postgres.start()
    for _ in range(6):
        page = person.get("/journal/")
        assert page.status == 200, f"{page.status}\n{page.text[:500]}"
