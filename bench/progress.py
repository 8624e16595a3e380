"""Progress lines: redrawn in place on a terminal, one every few seconds in a log."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        tty = sys.stdout.isatty()
        if done != total and now - self._last < (0.1 if tty else 2.0):
            return
        self._last = now
        end = "\n" if done == total or not tty else "\r"
        print(f"  {what}: {done}/{total}", end=end, flush=True)
