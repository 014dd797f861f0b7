"""Throwaway Postgres and Redis servers on free ports, for the fault-injection suite.

Each lives under its own temporary directory and can be stopped and started again on the same
port in the middle of a test. They never touch the shared services on 5432 and 6379.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from bench.processes import free_port, kill_group, wait_until

POSTGRES_USER = "postgres"  # also the OS user that runs the server when we are root
DATABASE = "aysekai"


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: Debian's versioned one, else PATH's."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(os.access(Path(directory) / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(directory)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(os.path.realpath(initdb)).parent
    return None


def missing_binaries() -> str | None:
    """Why the suite cannot run here, or None when every binary it needs is installed."""
    missing = []
    if postgres_bin() is None:
        missing.append("initdb/pg_ctl (PostgreSQL server)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if os.geteuid() == 0:  # initdb refuses root: the server runs as the postgres user
        if shutil.which("runuser") is None:
            missing.append("runuser (initdb refuses to run as root)")
        try:
            pwd.getpwnam(POSTGRES_USER)
        except KeyError:
            missing.append(f"an OS user {POSTGRES_USER!r} (initdb refuses to run as root)")
    if not missing:
        return None
    return "the fault-injection suite needs " + ", ".join(missing)


class ThrowawayPostgres:
    """initdb into a temporary directory; trust auth, 127.0.0.1 only, its own socket dir."""

    def __init__(self) -> None:
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError(missing_binaries())
        self.bin = binaries
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="aysekai-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:  # the server must belong to an unprivileged user
            shutil.chown(self.root, POSTGRES_USER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", POSTGRES_USER,
                  "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                # Throwaway data: durability buys nothing and costs seconds.
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\n"
            )

    @property
    def url(self) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", POSTGRES_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60, cwd=self.root)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" disconnects clients cleanly, "immediate" is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self) -> None:
        import psycopg

        admin = f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")

    def cleanup(self) -> None:
        if self.running:
            try:
                self.stop("immediate")
            except subprocess.SubprocessError:
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


class ThrowawayRedis:
    """redis-server as a child process: no persistence, so a restart starts empty."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(missing_binaries())
        self.binary = binary
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="aysekai-faults-redis-"))
        self.process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        log = open(self.root / "redis.log", "a")  # noqa: SIM115 (the child holds it)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.root,
        )  # fmt: skip
        log.close()
        wait_until(lambda: accepts_connections(self.port), 15, f"redis-server on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, signal.SIGKILL)
            self.process = None
        wait_until(lambda: not accepts_connections(self.port), 10, "redis-server to stop")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cleanup(self) -> None:
        if self.process is not None:
            kill_group(self.process, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


# Module-level mark of every test that needs the servers: skipped, saying which binary is
# missing, only where one is.
needs_servers = pytest.mark.skipif(missing_binaries() is not None, reason=missing_binaries() or "")
