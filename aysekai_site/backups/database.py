"""Each engine's database: dumped into an archive (SQLite's backup API, pg_dump) and put back
from one (the SQLite file renamed into place, pg_restore in one transaction)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any, cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from . import CHUNK, BackupError

# Seconds to wait for a busy SQLite database before calling it in use by another process.
IN_USE_TIMEOUT = 5.0
PG_RESTORE_FLAGS = [
    "--clean",
    "--if-exists",
    "--no-owner",
    "--no-privileges",
    "--single-transaction",
]


def dump_database(connection: BaseDatabaseWrapper, dest: Path) -> None:
    if connection.vendor == "sqlite":
        if cast(SQLiteDatabaseWrapper, connection).is_in_memory_db():
            raise BackupError("An in-memory SQLite database cannot be backed up.")
        source = Path(str(connection.settings_dict["NAME"]))
        if not source.is_file():
            # sqlite3.connect would silently create an empty database there.
            raise BackupError(f"The SQLite database {source} does not exist.")
        # The backup API copies a consistent snapshot (WAL included) while others keep writing.
        with (
            closing(sqlite3.connect(source, timeout=20)) as src,
            closing(sqlite3.connect(dest)) as dst,
        ):
            src.backup(dst)
        return
    args, env = pg_connection(connection.settings_dict)
    pg_dump = pg_tool("pg_dump")
    run_tool(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", *args], env
    )


def restore_database(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """Replace the connection's database with a verified dump made by `dump_database`."""
    if connection.vendor == "sqlite":
        _replace_sqlite(Path(str(connection.settings_dict["NAME"])), dump)
        return
    args, env = pg_connection(connection.settings_dict)
    try:
        run_tool([pg_tool("pg_restore"), *PG_RESTORE_FLAGS, *args, str(dump)], env)
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nNothing was changed (one transaction). If the database holds tables "
            "the backup does not know (a newer schema), restore into an empty database."
        ) from None


def _replace_sqlite(target: Path, snapshot: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _refuse_if_in_use(target)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if target.exists():
            os.chmod(temp, stat.S_IMODE(target.stat().st_mode))  # keep the operator's choice
        with os.fdopen(fd, "wb") as out, open(snapshot, "rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        # A WAL or journal left by the old file would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _refuse_if_in_use(target: Path) -> None:
    # An exclusive lock is refused while any other connection (web, worker, beat) has the file
    # open; replacing it under them would lose their writes. Best effort: a process may open
    # it again right after, which is why the procedure stops them first.
    if not target.exists():
        return
    with closing(sqlite3.connect(target, timeout=IN_USE_TIMEOUT, isolation_level=None)) as probe:
        try:
            probe.execute("PRAGMA locking_mode=EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("COMMIT")
        except sqlite3.OperationalError:
            raise BackupError(
                f"{target} is in use by another process: stop the web, worker and beat "
                "processes, then restore again."
            ) from None
        except sqlite3.DatabaseError:
            pass  # not a database at all: nothing to protect, it is about to be replaced


# --- PostgreSQL client tools ------------------------------------------------------------------


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "(e.g. the postgresql-client package), of the server's major version or newer."
        )
    return path


def pg_connection(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment; the password only ever goes in the environment."""
    args = ["--no-password"]  # never prompt: a cron job would wait for ever
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr[-2000:]}")
