"""A version in the shared cache (platform/versions.py): read without a query, moved by a bump
that nothing computed earlier can undo, and from the data whenever the cache cannot say."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started

from aysekai_site.platform import versions
from aysekai_site.platform.versions import SharedVersion, cache_is_shared, get_with_versions


class Data:
    """Stands for the rows a version describes; counts how often it is read."""

    def __init__(self) -> None:
        self.state = "state-1"
        self.reads = 0
        self.during_read = lambda: None

    def compute(self) -> str:
        self.reads += 1
        state = self.state
        self.during_read()
        return state


@pytest.fixture
def data():
    return Data()


@pytest.fixture
def version(data):
    return SharedVersion("test", data.compute)


def test_a_shared_version_is_read_from_the_data_once(shared_versions, data, version):
    assert version.current() == "state-1"
    assert version.current() == "state-1"
    assert data.reads == 1


def test_a_bump_moves_it_without_reading_the_data(shared_versions, data, version):
    before = version.current()
    version.bump()
    after = version.current()
    assert after != before
    assert version.current() == after
    assert data.reads == 1


def test_a_state_read_before_a_write_never_overwrites_its_bump(shared_versions, data, version):
    """A reader computes the old state, a write lands and bumps, then the reader stores."""

    def a_write_meanwhile():
        data.state = "state-2"
        version.bump()

    data.during_read = a_write_meanwhile
    assert version.current() == "state-1"  # this request's own (old) answer
    data.during_read = lambda: None
    assert version.current() not in {"state-1", ""}  # everyone else: the bump


def test_a_lost_version_is_read_from_the_data_again(shared_versions, data, version):
    version.current()
    data.state = "state-2"
    cache.delete(version.key)  # expired, evicted or flushed
    assert version.current() == "state-2"


def test_a_bump_inside_a_transaction_moves_it_again_at_commit(
    db, shared_versions, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version.bump()
        during = version.current()
    assert version.current() != during


def test_a_process_local_cache_reads_the_data_every_time(local_versions, data, version):
    version.current()
    version.bump()
    data.state = "state-2"
    assert version.current() == "state-2"
    assert data.reads == 2
    assert cache.get(version.key) is None  # nothing kept where other processes cannot see it


def test_with_the_cache_down_the_data_answers_and_a_bump_fails_quietly(
    cache_down, data, version, caplog
):
    assert cache_is_shared()
    version.bump()
    assert version.current() == "state-1"
    assert version.current() == "state-1"
    assert data.reads == 2
    assert "cache unavailable (version bump failed open)" in caplog.text


def test_the_backend_decides_whether_the_cache_is_shared(settings, cache_down):
    settings.VERSIONS_IN_CACHE = None
    assert cache_is_shared()  # Redis
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not cache_is_shared()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert not cache_is_shared()


def test_current_with_reads_the_version_and_other_keys_together(shared_versions, data, version,
                                                                 monkeypatch):  # fmt: skip
    cache.set("test:page", "kept")
    assert version.current_with("test:page", "test:none") == ("state-1", {"test:page": "kept"})
    reads: list[list[str]] = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(list(keys)) or real(keys))
    assert version.current_with("test:page") == ("state-1", {"test:page": "kept"})
    assert reads == [[version.key, "test:page"]]
    assert data.reads == 1


def test_current_with_on_a_local_cache_computes_and_reads(local_versions, data, version):
    cache.set("test:page", "kept")
    assert version.current_with("test:page") == ("state-1", {"test:page": "kept"})
    assert version.current_with() == ("state-1", {})
    assert data.reads == 2


# --- Read with the session (get_with_versions) --------------------------------------------


@pytest.fixture
def in_request(db):
    """As while a request is answered: between request_started and request_finished (whose
    other receivers close old database connections)."""
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def another_process_bumps(version) -> str:
    cache.set(version.key, "bumped-elsewhere")
    return "bumped-elsewhere"


def test_a_request_reads_every_version_with_its_session(shared_versions, data, version,
                                                        in_request):  # fmt: skip
    cache.set("session", {"signed": "in"})
    before = version.current()
    with spied_reads() as reads:
        assert get_with_versions(caches["default"], "session") == {"signed": "in"}
        another_process_bumps(version)
        assert version.current() == before  # as the request began: no round trip of its own
        assert version.current_with("page") == (before, {})
    assert reads == [["session", *versions._versions], ["page"]]  # the page alone


def test_the_next_request_sees_a_bump_made_elsewhere(shared_versions, version, in_request):
    get_with_versions(caches["default"], "session")
    moved = another_process_bumps(version)
    request_finished.send(sender=None)
    assert version.current() == moved
    request_started.send(sender=None)
    assert version.current() == moved


def test_a_request_sees_its_own_bump_at_once(shared_versions, version, in_request):
    get_with_versions(caches["default"], "session")
    before = version.current()
    version.bump()
    assert version.current() != before


def test_outside_a_request_or_for_another_cache_only_the_key_is_read(
    shared_versions, version, settings, db
):
    settings.CACHES = {
        "default": settings.CACHES["default"],
        "other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    before = version.current()
    get_with_versions(caches["default"], "session")  # not in a request
    moved = another_process_bumps(version)
    assert version.current() == moved
    request_started.send(sender=None)
    try:
        with spied_reads() as reads:
            get_with_versions(caches["other"], "session")
        assert reads == []  # the other cache's own get, nothing of the default's
        assert version.current() == moved != before
    finally:
        request_finished.send(sender=None)


def test_a_version_the_cache_lost_is_computed_as_before(shared_versions, data, version,
                                                        in_request):  # fmt: skip
    cache.delete(version.key)
    get_with_versions(caches["default"], "session")
    assert version.current() == "state-1"
    assert data.reads == 1


@contextmanager
def spied_reads():
    """The keys of every get_many on the default cache."""
    reads: list[list[str]] = []
    store = caches["default"]
    real = store.get_many

    def spy(keys, *args, **kwargs):
        reads.append(list(keys))
        return real(keys, *args, **kwargs)

    store.get_many = spy
    try:
        yield reads
    finally:
        del store.get_many
