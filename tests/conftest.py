import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the 99 names, as a set-up site does."""
    with django_db_blocker.unblock():
        call_command("load_names", verbosity=0)


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Private files (exports, uploads) of every test go to its own folder, never to var/."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Every test starts in English, and ends there: a request under /tr/ or /ar/ leaves its
    language active in the thread (LocaleMiddleware activates, nothing resets), and a later
    `reverse()` outside a request would be made in it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: no test is answered from another's pages (nor
    from this process's copies of the stats pages and the journal lists)."""
    from meditation.journal import list_cache, stats_cache

    cache.clear()
    stats_cache.recent.clear()
    list_cache.recent.clear()
    yield
    cache.clear()
    stats_cache.recent.clear()
    list_cache.recent.clear()


@pytest.fixture(params=["file system", "object store"])
def private_backend(request, settings):
    """Run the test once with private files on the file system (the default) and once on an
    object store's kind of storage (tests.private_storage.MemoryStorage: no local path)."""
    if request.param == "object store":
        from tests.private_storage import MEMORY

        settings.STORAGES = {**settings.STORAGES, "private": MEMORY}
    return request.param


@pytest.fixture
def signed_in(client, user):
    """A client signed in as `user` (no second factor)."""
    client.force_login(user)
    return client


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


def verify_second_factor(client, user):
    """Sign the user in with a confirmed TOTP device, as the two-step sign-in leaves it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def staff_client(client, db):
    """A client signed in as a superuser who passed the second factor."""
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    verify_second_factor(client, staff)
    client.staff_user = staff
    return client


@pytest.fixture
def cache_down(settings):
    """The shared cache is a Redis server that is not there: a port nothing listens on."""
    import socket

    with socket.socket() as probe:  # a free port, closed again: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "aysekai_site.cache.RedisCache",  # production's
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    return port


@pytest.fixture
def shared_versions(settings):
    """Versions kept in the cache, as with Redis (aysekai_site/platform/versions.py): sound in
    one test process with the memory cache, which every request of the test then shares."""
    settings.VERSIONS_IN_CACHE = True


@pytest.fixture
def local_versions(settings):
    """Versions read from the database on every request, as with a process-local cache."""
    settings.VERSIONS_IN_CACHE = False


@pytest.fixture(params=["shared", "local"])
def versions(request):
    """The test once with versions in the cache (as with Redis), once from the database."""
    request.getfixturevalue(f"{request.param}_versions")
    return request.param


@pytest.fixture
def cache_reads(monkeypatch) -> list[tuple[str, ...]]:
    """The keys of every `get_many` on the default cache from here on, a tuple per read."""
    reads: list[tuple[str, ...]] = []
    real = cache.get_many

    def spy(keys, *args, **kwargs):
        reads.append(tuple(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", spy)
    return reads


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, the machine's (tests/browser.py), for a module of tests."""
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser import ARGUMENTS, CHROMIUM

    # Playwright's sync API keeps an event loop running in this thread; the test's own
    # database calls are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def site(live_server):
    """The live server's address, with the names loaded (a transactional test starts from an
    emptied database)."""
    call_command("load_names", verbosity=0)
    return live_server.url
