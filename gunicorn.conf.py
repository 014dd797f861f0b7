"""gunicorn settings for production (the Docker image's CMD and the systemd unit use this file).

Every value can be tuned from the environment; see docs/deployment.md.

- PORT: port to listen on (all interfaces; the container publishes it on 127.0.0.1 only and a
  TLS reverse proxy sits in front). Default 8000.
- WEB_CONCURRENCY: worker processes. Default 2 × usable cores + 1, at most 4.
- FORWARDED_ALLOW_IPS: addresses whose X-Forwarded-Proto gunicorn believes (so that Django
  sees HTTPS requests as secure). Default 127.0.0.1; "*" when the only way in is the proxy.
- PROMETHEUS_MULTIPROC_DIR: when set, metrics from all workers are aggregated through files in
  this directory; it is emptied at start and a dead worker's files are dropped.
"""

import os
import shutil
from pathlib import Path

MAX_DEFAULT_WORKERS = 4


def _usable_cores() -> int:
    # process_cpu_count (3.13) honours CPU affinity (e.g. `docker run --cpuset-cpus`).
    counter = getattr(os, "process_cpu_count", os.cpu_count)
    return counter() or 1


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return min(2 * _usable_cores() + 1, MAX_DEFAULT_WORKERS)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"WEB_CONCURRENCY must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"WEB_CONCURRENCY must be at least 1, not {value}")
    return value


bind = [f"0.0.0.0:{os.environ.get('PORT', '8000').strip() or '8000'}"]
workers = _workers()
# Sync workers, one request at a time each: Django's ORM and the app are not tuned for threads.
threads = 1
# A request taking longer than this is killed (its worker restarted); slow work goes to Celery.
timeout = 30
# On SIGTERM (docker stop, a deploy), workers get this long to finish the requests they hold.
graceful_timeout = 30
# The reverse proxy keeps connections open to us; a little longer than gunicorn's 2 s default.
keepalive = 5
# Recycle workers now and then so that a slow leak never grows; jitter keeps them from all
# restarting at once.
max_requests = 1000
max_requests_jitter = 100

# Only these peers may tell gunicorn (X-Forwarded-Proto) that the client used HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").strip() or "127.0.0.1"

# The worker heartbeat files: on a disk-backed /tmp (Docker's overlay) a busy disk can stall
# them and get healthy workers killed; /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# gunicorn's runtime control socket (gunicornc) is not used; it would need a writable $HOME.
control_socket_disable = True

# Logs to stderr, collected by Docker or journald. No access log: the application logs every
# request itself as a JSON line (aysekai_site.middleware.RequestLogMiddleware) with the
# request id and user, and with secrets in paths (password-reset tokens) redacted, which
# gunicorn's access log could not do.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    return Path(value) if value else None


def on_starting(server) -> None:
    """Give prometheus_client an empty directory: files left by an earlier run would be summed
    into this run's metrics."""
    directory = _multiproc_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    # Empty it rather than remove it: it may be a mount point (a tmpfs volume).
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges (its counters stay, as prometheus_client intends)."""
    if _multiproc_dir() is None:
        return
    # Imported here so that this file loads where prometheus_client is not installed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
