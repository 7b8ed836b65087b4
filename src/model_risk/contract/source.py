"""The file a detector reads: decoded text, the path reports show, and offset -> line/column."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate


@dataclass(frozen=True)
class SourceFile:
    """The decoded text of one file, with the path reports show (relative to the scan root, ``/``)."""

    path: str
    text: str

    @cached_property
    def _line_starts(self) -> list[int]:
        # The lengths of the lines, summed in C: a Python loop over the line breaks costs several
        # times more on large files.
        lengths = map(len, self.text.split("\n"))
        starts = list(accumulate(map((1).__add__, lengths), initial=0))
        starts.pop()
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into ``text``."""
        starts = self._line_starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def line_offset(self, line: int) -> int:
        """Offset into ``text`` of the first character of a 1-based line (clamped to the file)."""
        starts = self._line_starts
        return starts[min(max(line, 1), len(starts)) - 1]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending ('' when out of range)."""
        starts = self._line_starts
        if not 1 <= line <= len(starts):
            return ""
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[begin:end].rstrip("\r")
