"""The fault suite's services and stacks, started once per session and cleaned up however a
test ends; `stack` (per test) leaves every service and process running again afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .services import ThrowawayPostgres, ThrowawayRedis
from .stack import Stack, running_stack, sqlite_services, stack_env


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic once, for every stack of the session (the manifest storage needs it)."""
    root = tmp_path_factory.mktemp("static-stack")
    static = root / "static"
    env = stack_env(root, STATIC_ROOT=str(static), **sqlite_services(root))
    Stack(root, env).manage("collectstatic", "--noinput", "--verbosity", "0")
    return static


@pytest.fixture(scope="session")
def postgres_stack(
    postgres: ThrowawayPostgres, redis_server: ThrowawayRedis, static_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:  # fmt: skip
    with running_stack(
        tmp_path_factory.mktemp("postgres-stack"), DATABASE_URL=postgres.url,
        REDIS_URL=redis_server.url(1), CELERY_BROKER_URL=redis_server.url(2),
        CELERY_RESULT_BACKEND=redis_server.url(3), STATIC_ROOT=str(static_root),
    ) as site:  # fmt: skip
        yield site


@pytest.fixture
def stack(
    postgres_stack: Stack, postgres: ThrowawayPostgres, redis_server: ThrowawayRedis
) -> Iterator[Stack]:
    """The Postgres + Redis stack; whatever a test stopped or changed runs as before after it."""
    yield postgres_stack
    if not postgres.running:
        postgres.start()
    if not redis_server.running:
        redis_server.start()
    postgres_stack.reset()
