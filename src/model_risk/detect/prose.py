"""The free text inside code: comments, docstrings, help strings.

Each function returns a text of the same length as its input in which only the prose is kept and
everything else is blanked (newlines stay), so that an offset found in the result is the offset in the
file. One pass each, anchored on ``str.find`` or a single regular expression.
"""

from __future__ import annotations

import re

from model_risk.detect import text_search

#: Where something other than code starts in Python: a comment, a triple-quoted or a one-line string.
_PY_START = text_search.lazy(r"#|\"\"\"|'''|\"|'")
_PY_LINE_STRING = {'"': re.compile(r'(?:[^"\\\n]|\\.){0,4096}"'), "'": re.compile(r"(?:[^'\\\n]|\\.){0,4096}'")}
#: A ``#`` comment in YAML, TOML and shell: at the start of a line or after a blank (checked apart, so
#: that the pattern starts with a literal the engine can skip to).
_HASH_COMMENT = text_search.lazy(r"#([^\n]*)")
_C_START = text_search.lazy(r"//|/\*")
#: Comment markers at the start of a line of prose: ``#``, ``//``, `` * `` (JSDoc).
_MARKERS = text_search.lazy(r"^([ \t]*)(?:#+|//+|\*(?!\*))", re.MULTILINE)


def _blank(text: str) -> str:
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(map(" ".__mul__, map(len, text.split("\n"))))


def keep_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with everything outside ``spans`` (sorted, non-overlapping) blanked."""
    if not spans:
        return _blank(text)
    # The gaps are cut from one blanked copy of the whole text: blanking each gap on its own cost a
    # split and a join per gap, a third of the time spent on a Python file's prose.
    blank = _blank(text)
    out = []
    position = 0
    for start, end in spans:
        if start < position:
            continue
        out.append(blank[position:start])
        out.append(text[start:end])
        position = end
    out.append(blank[position:])
    return "".join(out)


def python_prose(text: str) -> str:
    """Comments, triple-quoted strings, and one-line strings with a blank and a ``/`` or ``-`` in them
    (help texts, log messages, command lines); code and other strings are blanked."""
    spans: list[tuple[int, int]] = []
    position = 0
    length = len(text)
    while position < length:
        match = _PY_START.search(text, position)
        if match is None:
            break
        token = match.group()
        if token == "#":
            end = text.find("\n", match.end())
            end = length if end < 0 else end
            spans.append((match.end(), end))
            position = end
        elif len(token) == 3:
            end = text.find(token, match.end())
            end = length if end < 0 else end
            spans.append((match.end(), end))
            position = end + 3
        else:
            closing = _PY_LINE_STRING[token].match(text, match.end())
            if closing is None:
                position = match.end()
                continue
            end = closing.end() - 1
            body = text[match.end():end]
            if " " in body and ("/" in body or "-" in body):  # an id or a flag, not any message
                spans.append((match.end(), end))
            position = closing.end()
    return keep_spans(text, spans)


def hash_comments(text: str) -> str:
    """``# ...`` comments (YAML, TOML, shell, Dockerfiles)."""
    if "#" not in text:
        return _blank(text)
    spans = []
    match = _HASH_COMMENT.search(text)
    while match is not None:
        start = match.start()
        if start == 0 or text[start - 1] in "\n \t":
            spans.append((start + 1, match.end()))
            match = _HASH_COMMENT.search(text, match.end())
        else:  # ``a#b``: not a comment, but one may follow on the line
            match = _HASH_COMMENT.search(text, start + 1)
    return keep_spans(text, spans)


def c_comments(text: str) -> str:
    """``// ...`` and ``/* ... */`` comments (JavaScript, TypeScript), JSDoc ``@example`` code included.
    Found by ``str.find``, so an unterminated comment costs one pass, not one per opening."""
    if "//" not in text and "/*" not in text:
        return _blank(text)
    spans = []
    position = 0
    while True:
        match = _C_START.search(text, position)
        if match is None:
            break
        start = match.end()
        end = text.find("\n" if match.group() == "//" else "*/", start)
        end = len(text) if end < 0 else end
        spans.append((start, end))
        position = end + (1 if match.group() == "//" else 2)
    return keep_spans(text, spans)


def without_markers(text: str) -> str:
    """Comment markers at line starts blanked, so that a commented command line reads as a command."""
    return _MARKERS.sub(lambda m: m.group(1) + " " * (m.end() - m.end(1)), text)
