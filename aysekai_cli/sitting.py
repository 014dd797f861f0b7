"""The sitting's countdown: a progress bar for the minutes, the dhikr counted on key presses
(space or Enter add one; q or Esc end early; Ctrl-C interrupts as anywhere else).

The keys are read from the terminal in cbreak mode (one key at a time, no echo; Ctrl-C still
a signal) and the terminal is always restored. The clock and the keys are passed in, so tests
run a sitting in no time. `AYSEKAI_TIME_SCALE` (undocumented, for tests at a real terminal)
makes the clock run that many times faster.
"""

from __future__ import annotations

import math
import os
import select
import sys
import termios
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

COUNT_KEYS = {" ", "\r", "\n"}
END_KEYS = {"q", "Q", "\x1b"}
TICK = 0.25  # seconds between redraws when no key is pressed
TIME_SCALE_ENV = "AYSEKAI_TIME_SCALE"


@dataclass(frozen=True)
class Sat:
    seconds: int
    dhikr: int
    ended_early: bool


class Keys(Protocol):
    def read(self, timeout: float) -> str | None:
        """The next key, or None when `timeout` seconds pass without one."""


class TerminalKeys:
    """Keys from a terminal on stdin, in cbreak mode while the context is open."""

    def __init__(self, scale: float = 1.0) -> None:
        self.fd = sys.stdin.fileno()
        self.scale = scale
        self._saved: list[Any] | None = None

    def __enter__(self) -> TerminalKeys:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _ready(self, timeout: float) -> bool:
        return bool(select.select([self.fd], [], [], max(timeout, 0))[0])

    def read(self, timeout: float) -> str | None:
        if not self._ready(timeout / self.scale):
            return None
        data = os.read(self.fd, 1)
        if not data:
            return None
        key = data.decode("latin-1")
        if key == "\x1b" and self._ready(0.03):
            # An escape sequence (an arrow key…), not Esc alone: read it and ignore it.
            while self._ready(0.01):
                os.read(self.fd, 16)
            return ""
        return key


def time_scale() -> float:
    try:
        scale = float(os.environ.get(TIME_SCALE_ENV, "1"))
    except ValueError:
        return 1.0
    return scale if scale > 0 else 1.0


def scaled_clock(scale: float) -> Callable[[], float]:
    return lambda: time.monotonic() * scale


def _clock_face(seconds: float) -> str:
    """Time left as m:ss, rounded up (a countdown shows 0:00 only at its end)."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d} left"


def countdown(
    console: Console, seconds: int, keys: Keys, clock: Callable[[], float] = time.monotonic
) -> Sat:
    """Run the countdown to its end, or until q/Esc; how long it ran and the dhikr counted."""
    count, ended_early = 0, False
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[left]}"),
        TextColumn("dhikr [bold]{task.fields[dhikr]}"),
        console=console,
        auto_refresh=False,
        transient=False,
    )
    with progress:
        task = progress.add_task("Sitting", total=seconds, dhikr=0, left=_clock_face(seconds))
        start = clock()
        while True:
            elapsed = clock() - start
            if elapsed >= seconds:
                break
            left = _clock_face(seconds - elapsed)
            progress.update(task, completed=elapsed, dhikr=count, left=left, refresh=True)
            key = keys.read(min(TICK, seconds - elapsed))
            if key in COUNT_KEYS:
                count += 1
            elif key in END_KEYS:
                ended_early = True
                break
        elapsed = min(clock() - start, seconds)
        left = _clock_face(seconds - elapsed)
        progress.update(task, completed=elapsed, dhikr=count, left=left)
        progress.refresh()
    if not ended_early:
        console.bell()
    return Sat(seconds=round(elapsed), dhikr=count, ended_early=ended_early)
