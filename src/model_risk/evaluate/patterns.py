"""Regular expressions from rule packs, run by RE2: time linear in the text, whatever the pattern.

A rule pack may come from the repository being scanned (``rules.extra-packs``), so its patterns are
untrusted. Python's ``re`` backtracks: ``(a|aa)+$`` against a 30-character license name already takes
seconds. RE2 (``google-re2``) has no backtracking, so no pattern can hang a scan; the constructs that
need backtracking (backreferences, lookaround) are refused when the pack loads, as is a pattern whose
compiled form would exceed :data:`MAX_PROGRAM_BYTES`. See docs/security.md for the measurements.
"""

from __future__ import annotations

from typing import Protocol

#: Longer patterns are refused: a rule matches license names and ids, not documents.
MAX_PATTERN_LENGTH = 1000
#: RE2's memory budget for one compiled pattern; a larger one is refused, never built.
MAX_PROGRAM_BYTES = 2 << 20


class Pattern(Protocol):
    def search(self, text: str) -> object | None: ...


class PatternError(ValueError):
    """A pattern RE2 cannot or will not run; the message says why."""


def compile_pattern(pattern: str) -> Pattern:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
    import re

    import re2  # type: ignore[import-untyped]  # imported only when a pack uses `matches`

    try:
        re.compile(pattern)  # compiling never backtracks; it finds plain mistakes with Python's wording
    except re.error as exc:
        raise PatternError(f"invalid regular expression: {exc}") from None

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    options.max_mem = MAX_PROGRAM_BYTES
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"regular expression not supported (RE2, linear time: no backreferences or "
                           f"lookaround): {reason}") from None
