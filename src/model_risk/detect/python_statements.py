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
from dataclasses import dataclass

from model_risk.detect import text_search
from model_risk.detect.python_literals import string_spans

#: A line that starts with something other than blank space, a comment or a closing bracket.
_CODE_AT_COLUMN_0 = text_search.lazy(r"^[^\s#)\]}]", re.M)
#: The indentation of the first code line of a class body.
_INDENTED_CODE = text_search.lazy(r"^([ \t]+)[^\s#)\]}]", re.M)
_CONTINUATIONS = ("else", "elif", "except", "finally")
#: Parsing more separate pieces than this costs more than parsing the file once.
MAX_PIECES = 24
#: ``Unit.group`` of a top-level statement; a class member's group is its class's first unit.
TOP = -1


@dataclass(frozen=True, slots=True)
class Unit:
    """A piece of a module that parses on its own: a top-level statement, or one member of a
    top-level class (parsed inside a stand-in ``class _:`` so that it keeps its class semantics)."""

    offset: int
    group: int = TOP
    #: The ``class`` line(s) of a split class: a reference there needs the whole file parsed.
    header: bool = False


def _starts(text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str], begin: int, end: int,
            indent: int) -> list[int]:
    """Offsets of the lines in ``text[begin:end]`` where a statement indented by ``indent`` characters
    may start (outside multi-line strings, not continuing the statement above, decorators glued to
    what they decorate)."""
    span_starts = [s for s, _ in spans]
    starts: list[int] = []
    glued = False  # the previous start was a decorator: the def or class below belongs to it
    for match in pattern.finditer(text, begin, end):
        offset = match.start()
        code = offset + indent
        if match.lastindex and len(match.group(1)) != indent:
            continue
        index = bisect.bisect_right(span_starts, offset) - 1
        if index >= 0 and offset < spans[index][1]:
            continue  # inside a multi-line string
        if offset and (text[offset - 2:offset] == "\\\n" or text.startswith(_CONTINUATIONS, code) and
                       _keyword_ends(text, code)):
            continue
        if glued:
            glued = text.startswith("@", code)
            continue
        starts.append(offset)
        glued = text.startswith("@", code)
    return starts


def units(text: str) -> list[Unit]:
    """The module as units: top-level statements, with each undecorated top-level class split into
    its header and its members."""
    spans = string_spans(text)
    tops = _starts(text, spans, _CODE_AT_COLUMN_0, 0, len(text), 0)
    if not tops or tops[0] != 0:
        tops.insert(0, 0)
    out: list[Unit] = []
    for number, start in enumerate(tops):
        end = tops[number + 1] if number + 1 < len(tops) else len(text)
        members: list[int] = []
        if text.startswith("class ", start):
            body = text.find("\n", start, end) + 1
            first = _INDENTED_CODE.search(text, body, end) if body else None
            if first is not None:
                members = _starts(text, spans, _INDENTED_CODE, first.start(), end, len(first.group(1)))
        if len(members) < 2:
            out.append(Unit(start))
            continue
        group = len(out)
        out.append(Unit(start, TOP, header=True))
        out += [Unit(member, group) for member in members]
    return out


def _keyword_ends(text: str, offset: int) -> bool:
    """Does the continuation keyword at ``offset`` stand alone (``else:``, not ``elsewhere = 1``)?"""
    for word in _CONTINUATIONS:
        if text.startswith(word, offset):
            end = offset + len(word)
            return end >= len(text) or not (text[end].isalnum() or text[end] == "_")
    return False


def parse_pieces(text: str, pieces: list[Unit], lines: list[int], wanted: set[int]) -> list[ast.stmt] | None:
    """The statements of the units numbered in ``wanted`` (indexes into ``pieces``), with their real
    positions; ``lines[i]`` is the 1-based line of ``pieces[i]``. Adjacent units of one group are
    parsed together. None when a piece does not parse on its own, a split class's header is
    wanted, or there are too many pieces."""
    runs: list[tuple[int, int]] = []
    for index in sorted(wanted):
        if pieces[index].header:
            return None
        if runs and runs[-1][1] == index and pieces[runs[-1][0]].group == pieces[index].group:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    if len(runs) > MAX_PIECES:
        return None
    body: list[ast.stmt] = []
    for first, end in runs:
        begin = pieces[first].offset
        stop = pieces[end].offset if end < len(pieces) else len(text)
        # Blank lines in front give the statements their real line numbers without renumbering
        # every node afterwards; class members keep their columns inside a stand-in class.
        if pieces[first].group == TOP:
            piece = "\n" * (lines[first] - 1) + text[begin:stop]
        else:
            piece = "\n" * (lines[first] - 2) + "class _:\n" + text[begin:stop]
        try:
            module = ast.parse(piece)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        body += module.body
    return body
