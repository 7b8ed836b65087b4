"""A one-line progress display on stderr for long scans (terminals only).

The CLI creates it only when stderr is a terminal, so piped or redirected output never contains it.
It redraws one line in place with a carriage return, never wider than the terminal (a wrapped line
cannot be redrawn), and blanks it with spaces rather than an escape sequence, which works on any
terminal. The caller must ``clear()`` it before printing anything else to the terminal.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import TextIO

#: Do not draw anything for scans that finish faster than this.
DELAY_SECONDS = 0.5
#: Redraw at most this often.
INTERVAL_SECONDS = 0.1
BAR_WIDTH = 30
LABELS = {"files": "scanning files", "models": "resolving models"}


class ProgressLine:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0
        self._last_draw = 0.0
        self._last_stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "done":
            self.clear()
            return
        now = time.monotonic()
        if now - self.started < DELAY_SECONDS:
            return
        finished = total > 0 and done >= total
        if stage == self._last_stage and not finished and now - self._last_draw < INTERVAL_SECONDS:
            return
        self._last_draw, self._last_stage = now, stage
        filled = int(BAR_WIDTH * done / total) if total else 0
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        counter = f" {done}/{total}" if total else ""
        self._draw(f"{LABELS.get(stage, stage):<16} [{bar}]{counter}")

    def _draw(self, line: str) -> None:
        width = self._columns() - 1
        line = line[:max(0, width)]
        padding = " " * max(0, self.drawn - len(line))
        self.stream.write("\r" + line + padding)
        self.stream.flush()
        self.drawn = len(line)

    def _columns(self) -> int:
        # The width of the terminal stderr is on; shutil looks at stdout, which may be a pipe.
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        # A terminal that does not report its size says 0.
        return columns or shutil.get_terminal_size((80, 24)).columns

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0
