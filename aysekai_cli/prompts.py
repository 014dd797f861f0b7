"""Questions on stdin: a line at a time at a terminal (with line editing), or the lines of
piped input. Every question goes through `ask`, so a test can answer (or interrupt) it."""

from __future__ import annotations

import sys

from rich.console import Console


def interactive() -> bool:
    """True when a person is typing: stdin is a terminal."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


def ask(console: Console, question: str) -> str | None:
    """One answer, without its line end; None at the end of input."""
    if interactive():
        try:
            return console.input(question)
        except EOFError:  # Ctrl-D
            console.print()
            return None
    console.print(question, end="", markup=False, highlight=False)
    line = sys.stdin.readline()
    if not line:
        console.print()
        return None
    console.print(line.rstrip("\r\n"), markup=False, highlight=False)  # as a terminal echoes
    return line.rstrip("\r\n")


def rest_of_input() -> str:
    """Whatever piped input is left (the reflection, when stdin is not a terminal)."""
    return sys.stdin.read()
