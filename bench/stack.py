"""The site under gunicorn in production mode, on the shared Postgres and Redis when they
answer (a database and a Redis db number of the benchmark's own), else on SQLite.

The environment is built from nothing plus what is set here, as the fault-injection suite's
(tests/site/faults/stack.py): the checkout's .env decides nothing about a run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from . import processes
from .processes import free_port, kill_group, wait_until

ROOT = Path(__file__).resolve().parent.parent
INHERITED = (*processes.INHERITED, "PYTHONPATH")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
DATABASE = "aysekai_bench"  # never the shared `test` database
REDIS_DB = 9  # the benchmark's own db number: emptied at the start of a run, never FLUSHALL


def postgres_and_redis_answer() -> bool:
    try:
        import psycopg
        import redis

        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3) as connection:
            connection.execute("SELECT 1")
        redis.Redis.from_url(f"{REDIS}/{REDIS_DB}", socket_connect_timeout=3).ping()
    except Exception:
        return False
    return True


def fresh_services(root: Path, *, shared: bool) -> dict[str, str]:
    """Empty services for a run: the bench database recreated and its Redis db emptied, or a
    new SQLite file and each process's memory cache."""
    if not shared:
        return {
            "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
            "REDIS_URL": "locmemcache://bench",
        }
    import psycopg
    import redis

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis.from_url(f"{REDIS}/{REDIS_DB}").flushdb()
    return {
        "DATABASE_URL": f"{POSTGRES.replace('postgresql://', 'postgres://')}/{DATABASE}",
        "REDIS_URL": f"{REDIS}/{REDIS_DB}",
    }


def production_env(root: Path, services: dict[str, str], **variables: str) -> dict[str, str]:
    defaults = {
        "CELERY_BROKER_URL": "filesystem://",  # the exports page only lists jobs here
        "CELERY_RESULT_BACKEND": f"file://{root / 'celery' / 'results'}",
        "STATIC_ROOT": str(root / "static"),
        "LOG_LEVEL": "WARNING",  # a log line per request would measure the disk
    }
    return processes.production_env(root, inherited=INHERITED, **(defaults | services | variables))


@dataclass
class Site:
    root: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self) -> str:
        return "postgres" if self.env["DATABASE_URL"].startswith("postgres") else "sqlite"

    def run(self, *command: str, timeout: float = 1800) -> str:
        """A Python command (`-m module` or a script) in the site's environment; its stdout."""
        result = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def prepare(self) -> None:
        for folder in ("private", "prometheus", "celery/queue", "celery/processed",
                       "celery/control", "celery/results", "static"):  # fmt: skip
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.run("manage.py", "migrate", "--noinput", "--verbosity", "0")
        self.run("manage.py", "load_names", "--verbosity", "0")
        self.run("manage.py", "collectstatic", "--noinput", "--verbosity", "0")

    def start(self, **overrides: str) -> None:
        log = open(self.root / "web.log", "a")  # noqa: SIM115 (the child holds it)
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "aysekai_site.wsgi"]
        self.web = subprocess.Popen(
            command, cwd=ROOT, env=self.env | {"PORT": str(self.port)} | overrides, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_until(self._answers, 60, f"gunicorn on {self.port}")

    def _answers(self) -> bool:
        if self.web is not None and self.web.poll() is not None:
            log = (self.root / "web.log").read_text(errors="replace")
            raise RuntimeError(f"gunicorn exited:\n{log[-3000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.web is not None:
            kill_group(self.web, timeout=20)
            self.web = None
