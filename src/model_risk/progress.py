"""A one-line progress display on stderr for long scans (terminals only)."""

from __future__ import annotations

import time
from typing import TextIO

#: Do not draw anything for scans that finish faster than this.
DELAY_SECONDS = 0.5


class ProgressLine:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = False
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == "done":
            self.clear()
            return
        if now - self.started < DELAY_SECONDS or now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        label = {"files": "scanning files", "models": "resolving models"}.get(stage, stage)
        self.stream.write(f"\r{label:<16} [{bar}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False
