"""Making text from files, the Hub and the config safe to print on a terminal."""

from __future__ import annotations

import re

# ESC-started sequences (CSI, OSC, single-character escapes) and other control characters.
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def terminal_safe(text: str) -> str:
    """Text from the Hub (license names, ids) with escape sequences and control characters removed, so it
    cannot move the cursor, rewrite earlier lines or change the terminal title."""
    return _TERMINAL_CONTROL.sub("", text)
