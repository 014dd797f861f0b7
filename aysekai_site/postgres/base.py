"""Django's PostgreSQL backend, whose health check of a reused connection asks the socket first.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection before the first query of each
request with `SELECT 1`: a round trip, and a query for Postgres to run, on every request that
touches the database (a signed-in page whose content is cached sends two other queries). A
connection that Postgres ended (a restart, `pg_terminate_backend`, `idle_session_timeout`) or
that a proxy closed has something to read: the server's FATAL message, or the end of the
stream. A connection nothing was sent on since its last answer has nothing. So the check first
polls the socket without waiting (a system call, no round trip): nothing to read, the
connection is kept as it is; anything to read (or no socket), Django's own `SELECT 1` decides,
as before. A connection that silently vanished (a cable, a firewall's dropped state) is missed by
both alike: its first query fails, the request gets the 503 page, and Django drops the
connection at the end of it (`close_if_unusable_or_obsolete`).

Everything else is Django's backend (`ENGINE` is set to this package for a postgres:// URL).
"""

from __future__ import annotations

import select
from typing import TYPE_CHECKING, Any

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper


def nothing_to_read(fileno: int) -> bool:
    """True when the socket has nothing waiting: no message from the server, no end of file."""
    readable, _, failed = select.select([fileno], [], [fileno], 0)
    return not readable and not failed


class DatabaseWrapper(PostgresDatabaseWrapper):
    if TYPE_CHECKING:  # what the stubs leave out of Django's class
        health_check_enabled: bool
        health_check_done: bool
        pool: Any

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        try:
            fileno = self.connection.fileno()
        except Exception:  # closed, or broken: let `SELECT 1` say
            return False
        if fileno < 0:
            return False
        try:
            return nothing_to_read(fileno)
        except (OSError, ValueError):
            return False
