"""Text searches the detectors share, shaped so that C does the scanning: ``re`` skips ahead only
along a trie, and ``str.rstrip`` reads a run of characters without a Python loop."""

from __future__ import annotations

import re
from collections.abc import Sequence


def trie(words: Sequence[str]) -> str:
    """An alternation of ``words`` as a trie (``g(?:emini-|pt(?:-|2))``): ``re`` tries the branches
    of a flat alternation one by one at every position, a trie's only along one path. A word that has
    another as a prefix is left out: the pattern is for finding where one of the words starts."""
    words = sorted(w for w in set(words) if not any(o != w and w.startswith(o) for o in words))
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(tree)


def any_of(words: Sequence[str]) -> re.Pattern[str]:
    """A pattern found wherever one of ``words`` occurs, even inside another word: one search instead
    of one ``in`` per word. Callers keep it (compiling costs milliseconds, a search microseconds)."""
    return re.compile(trie(words))


def run_start(text: str, end: int, chars: str, limit: int) -> int:
    """Where the run of ``chars`` that ends at ``end`` starts, reading at most ``limit`` characters
    back."""
    window = text[max(0, end - limit):end]
    return end - (len(window) - len(window.rstrip(chars)))


class LazyPattern:
    """A regular expression compiled when it is first used, so that importing a module of many costs
    nothing until they are needed (the one-file pre-commit path starts a process per commit). After the
    first use its methods are the compiled pattern's own."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        _made.append(self)

    def __getattr__(self, name: str) -> object:
        compiled = re.compile(self._pattern, self._flags)
        for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "pattern",
                       "flags", "groups", "groupindex"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


#: Every lazy pattern made, so that :func:`compile_all` can compile them at once.
_made: list[LazyPattern] = []


def compile_all() -> None:
    """Compile every lazy pattern now: before a process pool forks, so that its workers inherit them
    compiled instead of each compiling its own."""
    for pattern in _made:
        pattern.search  # noqa: B018 (the first use compiles)


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled at first use (see :class:`LazyPattern`)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
