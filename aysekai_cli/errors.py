"""Exit codes and the errors that end a command with one (the list is in the package's
docstring and the `--help` epilog)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID_INPUT = 1
    BAD_NUMBER = 2  # also typer's own usage errors
    CONFIGURATION = 3
    REFUSED = 4
    UNREACHABLE = 5
    UNEXPECTED = 99
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it


EPILOG = """**Exit codes**

- 0: done, or ended with Ctrl-C (as the old tool did; nothing half-written)
- 1: invalid input (no intention, nothing to search for)
- 2: bad name number, or a usage error
- 3: configuration problem (no token, a bad URL, the log's folder or key)
- 4: refused by the site (4xx), with its message
- 5: the site unreachable, a 5xx, or no answer in time
- 99: unexpected (the traceback goes to ~/.aysekai/error.log)
- 130: push interrupted with Ctrl-C
"""


class CliError(Exception):
    """An error the person can act on: its message is shown, the command exits with `code`."""

    code = ExitCode.UNEXPECTED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CliError):
    code = ExitCode.INVALID_INPUT


class BadNumber(CliError):
    code = ExitCode.BAD_NUMBER


class ConfigurationError(CliError):
    code = ExitCode.CONFIGURATION


class Refused(CliError):
    code = ExitCode.REFUSED


class Unreachable(CliError):
    code = ExitCode.UNREACHABLE
