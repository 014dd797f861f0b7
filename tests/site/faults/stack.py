"""A production-like site for the fault-injection suite: gunicorn, a Celery prefork worker
and beat, each its own process group, in production mode, on the services given.

The environment is built from nothing (PATH, HOME, LANG) plus what is set here, so neither
the test run's variables nor the checkout's .env decide anything a test depends on (the
settings read .env without overriding the process environment). Every process logs to a file
under the stack's directory; `logs()` reads them all.
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.processes import production_env
from tests import ROOT

from .client import Browser, Hang
from .services import free_port, kill_group, wait_until

PASSWORD = "a quiet river at dawn 7"  # passes every password validator
# Limits the tests count on, set here whatever the checkout's .env says.
EXPORT_MAX_UNFINISHED = 3
LOGIN_FAILURE_LIMIT = 5


def stack_env(root: Path, **variables: str) -> dict[str, str]:
    """Production settings for a stack under `root`, with `variables` over them: DATABASE_URL,
    REDIS_URL, CELERY_BROKER_URL, CELERY_RESULT_BACKEND and STATIC_ROOT at least."""
    limits = {
        "CELERY_VISIBILITY_TIMEOUT": "7200",
        "LOG_LEVEL": "INFO",
        # Every test signs people up from 127.0.0.1; the limits themselves are tested elsewhere.
        "SIGNUP_RATE": "10000/h",
        "PASSWORD_RESET_RATE": "10000/h",
        "EXPORT_MAX_UNFINISHED": str(EXPORT_MAX_UNFINISHED),
        "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
        "LOGIN_LOCKOUT_MINUTES": "30",
        "EXPORT_SOFT_TIME_LIMIT": "1500",
        "EXPORT_TIME_LIMIT": "1800",
        "CELERY_RESTORE_INTERVAL": "10",
        "DATABASE_CONNECT_TIMEOUT": "3",
        "REDIS_CONNECT_TIMEOUT": "0.5",
        "REDIS_SOCKET_TIMEOUT": "5",
    }
    return production_env(root, **(limits | variables))


def sqlite_services(root: Path) -> dict[str, str]:
    """The default set-up's services under `root`: one SQLite file, each process's memory
    cache and the filesystem broker."""
    return {
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "REDIS_URL": "locmemcache://faults",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_RESULT_BACKEND": f"file://{root / 'celery' / 'results'}",
    }


class Process:
    """One long-running command in its own process group, logging to `log`."""

    def __init__(self, name: str, command: list[str], log: Path) -> None:
        self.name, self.command, self.log = name, command, log
        self.popen: subprocess.Popen | None = None
        self.log_start = 0
        self.overrides: dict[str, str] = {}  # the variables it was last started with

    def start(self, env: dict[str, str], overrides: dict[str, str]) -> None:
        assert not self.running, f"{self.name} is already running"
        self.overrides = overrides
        self.log.touch()
        self.log_start = self.log.stat().st_size
        with open(self.log, "a") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=env | overrides, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def since_start(self) -> str:
        with open(self.log, errors="replace") as log:
            log.seek(self.log_start)
            return log.read()

    def check_running(self) -> None:
        assert self.running, f"{self.name} exited:\n{self.since_start()[-3000:]}"

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM to the group (a warm shutdown); SIGKILL if it lingers."""
        if self.popen is not None:
            kill_group(self.popen, signal.SIGTERM, timeout=20)

    def kill(self) -> None:
        """SIGKILL to the whole group at once: it dies mid-work, as in an OOM kill."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


class Stack:
    """The site's three processes on the services named by `env`.

    Each process can be started with variables over the stack's (`start_worker(
    JOB_STALE_SECONDS="5")`), killed (`kill_worker`: SIGKILL of its process group) and
    restarted; `reset()` brings every process back, running with the stack's own variables.
    """

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.port = free_port()
        self.env = env | {"PORT": str(self.port)}
        for folder in ("private", "prometheus", "celery/queue", "celery/processed",
                       "celery/control", "celery/results"):  # fmt: skip
            (root / folder).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        celery = [python, "-m", "celery", "--app", "aysekai_site"]
        self.web = Process(
            "web", [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "aysekai_site.wsgi"],
            root / "web.log",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [*celery, "worker", "--pool", "prefork", "--concurrency", "1", "--without-gossip",
             "--without-mingle", "--hostname", f"faults-{self.port}@%h"],
            root / "worker.log",
        )  # fmt: skip
        self.beat = Process(
            "beat", [*celery, "beat", "--schedule", str(root / "beat-schedule")], root / "beat.log"
        )
        self.url = f"http://127.0.0.1:{self.port}"

    # --- Set-up and processes -----------------------------------------------------------

    def manage(self, *args: str, timeout: float = 120) -> str:
        """Run a management command in the stack's environment; its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
        return result.stdout

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_names", "--verbosity", "0")

    def start_web(self, **overrides: str) -> None:
        self.web.start(self.env, overrides)

        def answers() -> bool:
            self.web.check_running()
            try:
                return self.browser(timeout=2).get("/healthz").status == 200
            except (OSError, Hang):  # not listening yet, or its workers still booting
                return False

        # A loaded machine (CI beside other jobs) can take long to boot gunicorn's workers.
        wait_until(answers, 60, f"gunicorn on {self.port}")

    def start_worker(self, **overrides: str) -> None:
        """Start the worker and wait until it consumes."""
        self.worker.start(self.env, overrides)

        def ready() -> bool:
            self.worker.check_running()
            return " ready." in self.worker.since_start()

        wait_until(ready, 60, "the Celery worker to be ready")

    def kill_worker(self) -> None:
        self.worker.kill()

    def restart_worker(self, **overrides: str) -> None:
        self.worker.stop()
        self.start_worker(**overrides)

    def start_beat(self, **overrides: str) -> None:
        self.beat.start(self.env, overrides)

    def restart_beat(self, **overrides: str) -> None:
        self.beat.stop()
        self.start_beat(**overrides)

    def start(self) -> None:
        self.start_web()
        self.start_worker()
        self.start_beat()

    def reset(self) -> None:
        """Every process running, with the stack's own variables (after a test changed them)."""
        for process, start in (
            (self.web, self.start_web), (self.worker, self.start_worker),
            (self.beat, self.start_beat),
        ):  # fmt: skip
            if process.running and process.overrides:
                process.stop()
            if not process.running:
                start()

    def stop(self) -> None:
        for process in (self.beat, self.worker, self.web):
            process.stop()

    def logs(self) -> str:
        """Everything web, worker and beat have written."""
        processes = (self.web, self.worker, self.beat)
        return "\n".join(p.log.read_text(errors="replace") for p in processes if p.log.exists())

    # --- People and data ----------------------------------------------------------------

    def browser(self, timeout: float = 5.0) -> Browser:
        return Browser(self.url, timeout=timeout)

    def sign_up(self, email: str | None = None, timeout: float = 10.0) -> Browser:
        """A new person, signed up (and so signed in) through the site's own form."""
        browser = self.browser(timeout=timeout)
        email = email or f"person-{secrets.token_hex(4)}@example.com"
        assert browser.get("/accounts/signup/").status == 200
        page = browser.post(
            "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert page.status == 200, page.text[:2000]
        assert browser.signed_in, page.text[:2000]
        browser.email = email
        return browser

    def add_entries(self, email: str, count: int) -> None:
        """`count` finished journal entries for the person (one bulk insert)."""
        self.manage(
            "shell", "-c",
            "from accounts.models import User; from tests.factories import make_entries; "
            f"make_entries(User.objects.get(email={email!r}), {count})",
        )  # fmt: skip

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        """Run a query on the stack's database (`%s` placeholders)."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite"):
            with closing_sqlite(url.removeprefix("sqlite:///")) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=5) as c:
            return c.execute(sql, params).fetchall()

    def jobs_of(self, email: str) -> list[tuple[str, str, str]]:
        """The person's exports, oldest first: (id, status, error)."""
        return [
            (str(uuid.UUID(str(pk))), status, error)  # SQLite keeps the hex without dashes
            for pk, status, error in self.rows(
                "SELECT j.id, j.status, j.error FROM meditation_exportjob j "
                "JOIN accounts_user u ON u.id = j.owner_id WHERE u.email = %s "
                "ORDER BY j.created_at",
                email,
            )
        ]


@contextmanager
def running_stack(root: Path, *, beat: bool = True, **variables: str) -> Iterator[Stack]:
    """A stack under `root` (see stack_env), migrated, with its processes running; stopped
    however the block ends."""
    site = Stack(root, stack_env(root, **variables))
    try:
        site.prepare()
        site.start_web()
        site.start_worker()
        if beat:
            site.start_beat()
        yield site
    finally:
        site.stop()


@contextmanager
def closing_sqlite(path: str) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=20)
    try:
        yield connection
    finally:
        connection.close()
