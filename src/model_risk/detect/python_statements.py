"""Parsing only the top-level statements of a Python file that can hold a reference.

``ast.parse`` is the largest cost of a scan, and in a large module the statements a reference can
come from or reach are usually a few functions among many. A top-level statement starts on a line
that begins in column 0 with code (not inside a multi-line string, not a closing bracket, not an
``else``/``except`` continuing the statement above, not after a decorator or a backslash), so the
file splits into chunks without parsing it. Chunks are parsed on their own, with their real line
numbers; when a chunk does not parse on its own (the split was wrong, or the file is broken), the
caller parses the whole file instead, so the result never depends on the split being right.
"""

from __future__ import annotations

import ast
import bisect
import re

from model_risk.detect.python_literals import string_spans

#: A line that starts with something other than blank space, a comment or a closing bracket.
_CODE_AT_COLUMN_0 = re.compile(r"^[^\s#)\]}]", re.M)
_CONTINUATIONS = ("else", "elif", "except", "finally")
#: Parsing more separate pieces than this costs more than parsing the file once.
MAX_PIECES = 24


def chunk_starts(text: str) -> list[int]:
    """Offsets of the lines where a top-level statement may start; the first is always 0."""
    spans = string_spans(text)
    span_starts = [s for s, _ in spans]
    starts = [0]
    glued = False  # the previous start was a decorator: the def or class below belongs to it
    for match in _CODE_AT_COLUMN_0.finditer(text):
        offset = match.start()
        if offset == 0:
            glued = text.startswith("@")
            continue
        index = bisect.bisect_right(span_starts, offset) - 1
        if index >= 0 and offset < spans[index][1]:
            continue  # inside a multi-line string
        if text[offset - 2:offset] == "\\\n" or text.startswith(_CONTINUATIONS, offset) and \
                _keyword_ends(text, offset):
            continue
        if glued:
            glued = text.startswith("@", offset)
            continue
        starts.append(offset)
        glued = text.startswith("@", offset)
    return starts


def _keyword_ends(text: str, offset: int) -> bool:
    """Does the continuation keyword at ``offset`` stand alone (``else:``, not ``elsewhere = 1``)?"""
    for word in _CONTINUATIONS:
        if text.startswith(word, offset):
            end = offset + len(word)
            return end >= len(text) or not (text[end].isalnum() or text[end] == "_")
    return False


def parse_pieces(text: str, starts: list[int], lines: list[int], wanted: set[int]) -> list[ast.stmt] | None:
    """The statements of the chunks numbered in ``wanted`` (indexes into ``starts``), in order, with
    their real positions; ``lines[i]`` is the 1-based line of ``starts[i]``. Adjacent chunks are
    parsed together. None when a piece does not parse on its own or there are too many pieces."""
    order = sorted(wanted)
    runs: list[tuple[int, int]] = []
    for index in order:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    if len(runs) > MAX_PIECES:
        return None
    body: list[ast.stmt] = []
    for first, end in runs:
        begin = starts[first]
        stop = starts[end] if end < len(starts) else len(text)
        # Blank lines in front give the statements their real line numbers without renumbering
        # every node afterwards.
        piece = "\n" * (lines[first] - 1) + text[begin:stop]
        try:
            module = ast.parse(piece)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        body += module.body
    return body
