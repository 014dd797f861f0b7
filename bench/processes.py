"""Child processes, ports and the production environment, shared by the benchmark and the
fault-injection suite."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.fernet import Fernet

# What a child keeps of the caller's environment; everything else is set by production_env.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def production_env(
    root: Path, *, inherited: Iterable[str] = INHERITED, **variables: str
) -> dict[str, str]:
    """Production settings for a site under `root`, built from nothing but `inherited` (so
    the checkout's .env decides nothing), with `variables` over them; the caller names its
    services (DATABASE_URL, REDIS_URL, the broker) and whatever differs."""
    env = {key: os.environ[key] for key in inherited if key in os.environ}
    return env | {
        "DJANGO_SETTINGS_MODULE": "aysekai_site.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": "",
        # Plain HTTP, as gunicorn sees it behind the TLS proxy; no proxy headers are believed.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_PROXY_SSL_HEADER": "",
        "TRUSTED_PROXY_COUNT": "0",
        "CONN_MAX_AGE": "60",  # as .env.production.example: connections outlive a request
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_FILESYSTEM_DIR": str(root / "celery"),
        "PRIVATE_STORAGE_ROOT": str(root / "private"),
        "PROMETHEUS_MULTIPROC_DIR": str(root / "prometheus"),
        "EMAIL_URL": "consolemail://",
        "LOG_FORMAT": "json",
        "SENTRY_DSN": "",
        "EXPORT_CHUNK_PAUSE": "0",
        "WEB_CONCURRENCY": "2",  # the set-up: 2 sync workers
        **variables,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `predicate` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


def kill_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal a child started with start_new_session and everything it forked; SIGKILL the
    group if it is still there after `timeout`."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
