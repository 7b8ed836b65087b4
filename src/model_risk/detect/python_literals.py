"""Which id-shaped string literals in Python source can matter, decided from the text around each one.

The Python detector parses a file only when some literal that could name a model sits where it can
become a reference, and then walks only the statements such literals (and the names they are assigned
to) reach. Most id-shaped strings in real code cannot: ``os.path.join("data_model/cache_path", ...)``
passes the string to a call that loads nothing, ``cache_dir="org/x"`` gives it to a keyword that means
no model, and example code in a docstring is not code at all. Telling them apart needs only the few
characters before the literal, so this costs one bounded look per literal, never a rescan of the file.

A literal is judged one of three ways:

* it matters (``MODEL = "org/x"`` under a model-ish name, a loader's argument, a dict value, a list
  element, anything not recognised below);
* it cannot matter: the first argument of a call that is not a loader (nor a getter, option, field or
  shell call), or a string inside a multi-line triple-quoted string (docstrings, templates);
* it matters only if its name is used again: ``NAME = "org/x"`` or ``NAME="org/x"`` where ``NAME``
  means nothing about models (a later ``from_pretrained(NAME)`` would make it a reference).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection
from dataclasses import dataclass

from model_risk.detect import model_names, text_search

#: How far back from a literal the text is looked at; longer prefixes are judged "matters".
_WINDOW = 160
_IDENT_STRING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
#: ``NAME = "org/x"`` at the start of a line (type annotations allowed).
PLAIN_ASSIGNMENT = text_search.lazy(r"[ \t]*([A-Za-z_][\w.]{0,80})[ \t]*(?::[^=\n]{1,80})?=[ \t]*[rbuRBU]{0,2}$")
#: Strings and comments, so that quotes inside them do not start or end a string. Every alternative
#: matches at any quote or ``#`` (unterminated strings run to their end), and the loops are unrolled
#: (a run of ordinary characters, then one escape or lone quote), so one pass is linear and fast.
_STRINGS_AND_COMMENTS = text_search.lazy(
    r'#[^\n]*'
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'?",
    re.S,
)


@dataclass(frozen=True, slots=True)
class Literal:
    """An id-shaped literal: where its value starts, and the name it needs to be used again (or None)."""

    start: int
    needs_name: str | None = None


def string_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the strings of ``text`` that run over more than one line, in order."""
    spans: list[tuple[int, int]] = []
    if "\n" not in text:
        return spans
    for match in _STRINGS_AND_COMMENTS.finditer(text):
        start, end = match.span()
        if text[start] != "#" and text.find("\n", start, end) >= 0:
            spans.append((start, end))
    return spans


def real_literals(text: str, quotes: list[int]) -> list[bool]:
    """For each offset in ``quotes`` (ascending), does a Python string literal open there? Not when
    the quote is inside a comment or another string, or opens a triple-quoted string that spans lines
    (a docstring's example code is text, not code)."""
    verdicts = [False] * len(quotes)
    if not quotes:
        return verdicts
    index = 0
    for match in _STRINGS_AND_COMMENTS.finditer(text):
        start, end = match.span()
        while index < len(quotes) and quotes[index] < start:
            index += 1  # between tokens: a backtick, or code the tokens skipped; not a literal
        if index == len(quotes):
            break
        if text[start] == "#":
            while index < len(quotes) and quotes[index] < end:
                index += 1
            continue
        triple = text.startswith(('"""', "\'\'\'"), start)
        one_line = not triple or text.find("\n", start, end) < 0
        while index < len(quotes) and quotes[index] < end:
            quote = quotes[index]
            if quote == start and not triple:
                verdicts[index] = True
            elif triple and one_line and quote == start + 2:  # '''org/x''' on one line
                verdicts[index] = True
            index += 1
    return verdicts


def _prefix(text: str, quote: int) -> tuple[str, int]:
    """The text before a literal on its line (at most ``_WINDOW`` characters), without the string
    prefix letters; and where the line starts (-1 when it starts before the window)."""
    floor = max(0, quote - _WINDOW)
    line_start = text.rfind("\n", floor, quote) + 1
    if line_start == 0 and floor > 0:
        line_start = -1
    begin = max(line_start, floor)
    before = text[begin:quote]
    stripped = before.rstrip("rbuRBUfF")
    if len(before) - len(stripped) > 2:  # not string prefix letters but a word
        stripped = before
    return stripped, line_start


def _word_before(text: str, end: int) -> tuple[str, int]:
    """The last dotted name of the identifier that ends (spaces allowed) at ``end`` of ``text``, and
    where that identifier starts."""
    end = text_search.run_start(text, end, " \t", end)
    begin = text_search.run_start(text, end, _IDENT_STRING, 100)
    word = text[begin:end].rsplit(".", 1)[-1]
    if not word or word[0].isdigit() or (begin > 0 and not text[begin - 1].isascii()):
        return "", begin
    return word, begin


def judge(text: str, quote: int, value: str, calls: Collection[str], keywords: Collection[str]
          ) -> Literal | None:
    """Can the literal whose opening quote is at ``quote`` matter? None when it cannot."""
    if value.startswith(("hf-hub:", "hf_hub:")):  # timm/open_clip strings are references wherever they are
        return Literal(quote)
    before, line_start = _prefix(text, quote)
    head = before.rstrip(" \t")
    if head.endswith("("):
        name, _ = _word_before(head, len(head) - 1)
        if not name or name in calls or keyword.iskeyword(name):
            return Literal(quote)
        return None
    if head.endswith("=") and not head.endswith(("==", "!=", "<=", ">=", ":=")) and line_start >= 0:
        assignment = PLAIN_ASSIGNMENT.fullmatch(before)
        target = assignment.group(1) if assignment else None
        if target is None:
            target, begin = _word_before(head, len(head) - 1)
            if not target or not head[:begin].rstrip(" \t").endswith(("(", ",")):
                return Literal(quote)
            # a keyword argument or a parameter default
        name = target.rsplit(".", 1)[-1]
        if name in keywords or model_names.meaning((name,)) is not model_names.Meaning.NONE:
            return Literal(quote)
        return Literal(quote, name)
    return Literal(quote)


def mattering(text: str, calls: Collection[str], keywords: Collection[str]) -> list[Literal]:
    """The candidate literals of ``text`` that can matter (see the module docstring), in order. The
    strings and comments of the text are found (one more pass) only when some literal passes the
    look at the characters before it."""
    found = [judged for match in model_names.candidate_literals(text)
             if (judged := judge(text, match.start(), match.group(1), calls, keywords)) is not None]
    if not found:
        return found
    verdicts = real_literals(text, [f.start for f in found])
    return [f for f, real in zip(found, verdicts) if real]


_WORD = text_search.lazy(r"\w+")


def reused(text: str, names: Collection[str]) -> set[str]:
    """Those of ``names`` written at least twice in ``text`` as whole words (one pass over the words)."""
    wanted = set(names)
    seen: set[str] = set()
    again: set[str] = set()
    if not wanted:
        return again
    for word in _WORD.findall(text):
        if word in wanted:
            if word in seen:
                again.add(word)
            else:
                seen.add(word)
    return again


def relevant(text: str, calls: Collection[str], keywords: Collection[str]) -> list[int]:
    """Offsets of the literals that matter, with the name-conditional ones kept when the name is
    used again."""
    found = mattering(text, calls, keywords)
    conditional = {f.needs_name for f in found if f.needs_name is not None}
    again = reused(text, conditional) if conditional else set()
    return [f.start for f in found if f.needs_name is None or f.needs_name in again]
